package store

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Location says where the store lives: a bbolt file, or a prefix of an
// etcd cluster. It is what RAPPORT_STORE holds, as a URL:
//
//	bolt:///var/lib/rapport/rapport.db   (or bolt://rapport.db, relative)
//	etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/rapport
type Location struct {
	Engine    string   // "bolt" or "etcd"
	Path      string   // bolt: the file
	Endpoints []string // etcd: host:port of each member, as given
	Prefix    string   // etcd: the key prefix, "/rapport"; never "/" alone
}

// String is the location as a URL.
func (l Location) String() string {
	if l.Engine == "etcd" {
		return "etcd://" + strings.Join(l.Endpoints, ",") + l.Prefix
	}
	return "bolt://" + l.Path
}

// ParseLocation reads a store URL. A bare path (no scheme) is a bbolt
// file, as RAPPORT_DB has always been.
func ParseLocation(s string) (Location, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		if strings.TrimSpace(s) == "" {
			return Location{}, errors.New("empty store location")
		}
		return Location{Engine: "bolt", Path: s}, nil
	}
	switch scheme {
	case "bolt":
		if rest == "" {
			return Location{}, errors.New("bolt:// needs a file, as in bolt:///var/lib/rapport/rapport.db")
		}
		return Location{Engine: "bolt", Path: rest}, nil
	case "etcd":
		hosts, path, _ := strings.Cut(rest, "/")
		if hosts == "" {
			return Location{}, errors.New("etcd:// needs at least one host:port, as in etcd://10.0.0.1:2379/rapport")
		}
		var eps []string
		for _, h := range strings.Split(hosts, ",") {
			if _, port, err := net.SplitHostPort(h); err != nil || port == "" {
				return Location{}, fmt.Errorf("etcd member %q: want host:port, as in 10.0.0.1:2379", h)
			}
			eps = append(eps, h)
		}
		path = strings.Trim(path, "/")
		if path == "" {
			return Location{}, errors.New("etcd:// needs a key prefix after the hosts, as in etcd://10.0.0.1:2379/rapport, so Rapport never writes outside it")
		}
		if u, err := url.PathUnescape(path); err != nil || u != path || strings.ContainsAny(path, "?#") {
			return Location{}, fmt.Errorf("etcd key prefix %q: use plain letters, digits, '-', '_' and '/'", path)
		}
		return Location{Engine: "etcd", Endpoints: eps, Prefix: "/" + path}, nil
	}
	return Location{}, fmt.Errorf("unknown store %q: want bolt:///path/to/rapport.db or etcd://host:2379/prefix", scheme+"://")
}
