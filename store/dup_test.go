package store

import (
	"slices"
	"testing"
)

func TestHamming(t *testing.T) {
	for _, tc := range []struct {
		a, b uint64
		want int
	}{{0, 0, 0}, {0, 1, 1}, {0xff, 0x0f, 4}, {0, ^uint64(0), 64}} {
		if got := Hamming(tc.a, tc.b); got != tc.want {
			t.Errorf("Hamming(%x, %x) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSimHashFormat(t *testing.T) {
	for _, h := range []uint64{0, 1, 0x0123456789abcdef, ^uint64(0)} {
		s := FormatSimHash(h)
		got, err := ParseSimHash(s)
		if err != nil || got != h || len(s) != 16 {
			t.Errorf("ParseSimHash(FormatSimHash(%x) = %q) = %x, %v", h, s, got, err)
		}
	}
	for _, bad := range []string{"", "12345", "0123456789abcdeg", "0123456789abcdef0"} {
		if _, err := ParseSimHash(bad); err == nil {
			t.Errorf("ParseSimHash(%q) accepted", bad)
		}
	}
}

// Two SimHashes within MaxSimilarDistance bits always share a band: the
// guarantee Similar rests on. Checked for every placement of up to three
// flipped bits in a sample of positions.
func TestSimHashBandsPigeonhole(t *testing.T) {
	h := uint64(0xdeadbeefcafef00d)
	for i := 0; i < 64; i += 3 {
		for j := i; j < 64; j += 5 {
			for k := j; k < 64; k += 7 {
				o := h ^ 1<<i ^ 1<<j ^ 1<<k
				shared := false
				for _, b := range SimHashBands(o) {
					if slices.Contains(SimHashBands(h), b) {
						shared = true
					}
				}
				if !shared {
					t.Fatalf("%016x and %016x (%d bits apart) share no band", h, o, Hamming(h, o))
				}
			}
		}
	}
	if got := SimHashBands(0x000100020003abcd); !slices.Equal(got, []string{"0:abcd", "1:0003", "2:0002", "3:0001"}) {
		t.Errorf("SimHashBands = %v", got)
	}
}
