package crawler

import (
	"errors"
	"net/netip"
	"net/url"
	"testing"

	"code.dny.dev/ssrf"
)

func TestScope(t *testing.T) {
	s := newScope()
	for _, seed := range []string{"http://news.example.com/", "http://127.0.0.1:8080/"} {
		u, err := canonicalURL(seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.addURL(u)
	}
	for _, h := range []string{"m.example.com", "127.0.0.1:9090", "https://static.example.net:8443/"} {
		if err := s.addListed(h); err != nil {
			t.Fatalf("addListed(%q): %v", h, err)
		}
	}
	tests := []struct {
		url  string
		want bool
	}{
		{"http://news.example.com/a", true},
		{"https://news.example.com/a", true},      // the same host on https's default port
		{"http://www.news.example.com/a", true},   // www. twin
		{"http://NEWS.example.com.:80/a", true},   // spelled otherwise
		{"http://news.example.com:8080/a", false}, // another port
		{"https://news.example.com:80/a", false},  // https on http's port
		{"http://other.example.com/", false},
		{"http://example.com/", false},
		{"http://127.0.0.1:8080/x", true},
		{"https://127.0.0.1:8080/x", false}, // a seed on a port: that origin only
		{"http://127.0.0.1:8081/x", false},
		{"http://127.0.0.1/x", false},
		{"http://127.0.0.1:9090/x", true}, // listed host:port, either scheme
		{"https://127.0.0.1:9090/x", true},
		{"http://m.example.com/", true},
		{"https://m.example.com/", true},
		{"https://static.example.net:8443/a", true},
		{"http://static.example.net:8443/a", false},
		{"http://10.0.0.1/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.allows(u); got != tt.want {
			t.Errorf("allows(%s) = %v, want %v (origin %s)", tt.url, got, tt.want, origin(u))
		}
	}
	if err := s.addListed("a..b"); !errors.Is(err, ErrBadURL) {
		t.Errorf("addListed(a..b) = %v, want ErrBadURL", err)
	}
}

func TestAddressGuard(t *testing.T) {
	loopSeed := newAddressGuard([]netip.Addr{netip.MustParseAddr("127.0.0.1")})
	noSeed := newAddressGuard([]netip.Addr{netip.MustParseAddr("93.184.215.14")})
	lanSeed := newAddressGuard([]netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("::1")})
	tests := []struct {
		name    string
		g       *addressGuard
		network string
		addr    string
		ok      bool
	}{
		{"seed's loopback", loopSeed, "tcp4", "127.0.0.1:8080", true},
		{"rest of the seed's loopback range", loopSeed, "tcp4", "127.0.0.2:80", true},
		{"private next to a loopback seed", loopSeed, "tcp4", "10.0.0.1:80", false},
		{"metadata next to a loopback seed", loopSeed, "tcp4", "169.254.169.254:80", false},
		{"ipv6 loopback next to an ipv4 one", loopSeed, "tcp6", "[::1]:80", false},
		{"public", noSeed, "tcp4", "93.184.215.14:443", true},
		{"any port", noSeed, "tcp4", "93.184.215.14:8080", true},
		{"loopback", noSeed, "tcp4", "127.0.0.1:80", false},
		{"private", noSeed, "tcp4", "192.168.1.1:80", false},
		{"link-local", noSeed, "tcp4", "169.254.169.254:80", false},
		{"ipv6 link-local", noSeed, "tcp6", "[fe80::1]:80", false},
		{"ipv6 unique local", noSeed, "tcp6", "[fd00::1]:80", false},
		{"ipv4-mapped loopback", noSeed, "tcp6", "[::ffff:127.0.0.1]:80", false},
		{"seed's private range", lanSeed, "tcp4", "10.200.0.1:80", true},
		{"other private range", lanSeed, "tcp4", "192.168.0.1:80", false},
		{"seed's ipv6 loopback", lanSeed, "tcp6", "[::1]:80", true},
		{"udp", noSeed, "udp4", "93.184.215.14:53", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.g.control(tt.network, tt.addr, nil)
			if tt.ok && err != nil {
				t.Errorf("control(%s, %s) = %v, want allowed", tt.network, tt.addr, err)
			}
			if !tt.ok && !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("control(%s, %s) = %v, want ErrForbiddenAddress", tt.network, tt.addr, err)
			}
			if !tt.ok && err != nil && !errors.Is(err, ssrf.ErrProhibitedIP) && !errors.Is(err, ssrf.ErrProhibitedNetwork) {
				t.Errorf("control(%s, %s) = %v, want ssrf's reason kept", tt.network, tt.addr, err)
			}
		})
	}
}
