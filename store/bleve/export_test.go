package bleve

// LinkCandidates returns how many archived articles share a SimHash band
// with hash: the comparisons NearLinks makes. For benchmarks.
func (s *Store) LinkCandidates(hash uint64) int {
	_, _, n := s.links.near(hash, -1)
	return n
}
