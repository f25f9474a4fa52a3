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
// guarantee Similar rests on. Checked for placements of up to four
// flipped bits over a sample of positions, and for every single band
// boundary.
func TestSimHashBandsPigeonhole(t *testing.T) {
	if n := simHashBandBits[0] + simHashBandBits[1] + simHashBandBits[2] + simHashBandBits[3] + simHashBandBits[4]; n != 64 {
		t.Fatalf("bands cover %d bits, want 64", n)
	}
	h := uint64(0xdeadbeefcafef00d)
	for i := 0; i < 64; i += 3 {
		for j := i; j < 64; j += 5 {
			for k := j; k < 64; k += 7 {
				for l := k; l < 64; l += 2 {
					o := h ^ 1<<i ^ 1<<j ^ 1<<k ^ 1<<l
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
	}
	if got := SimHashBands(1 | 2<<13 | 3<<26 | 4<<39 | 0xfff<<52); !slices.Equal(got, []string{"0:0001", "1:0002", "2:0003", "3:0004", "4:0fff"}) {
		t.Errorf("SimHashBands = %v", got)
	}
}
