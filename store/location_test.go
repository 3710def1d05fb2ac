package store_test

import (
	"reflect"
	"testing"

	"github.com/rapport-bot/rapport/store"
)

func TestParseLocation(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want store.Location
	}{
		{"rapport.db", store.Location{Engine: "bolt", Path: "rapport.db"}},
		{"bolt:///data/rapport.db", store.Location{Engine: "bolt", Path: "/data/rapport.db"}},
		{"bolt://rapport.db", store.Location{Engine: "bolt", Path: "rapport.db"}},
		{"etcd://127.0.0.1:2379/rapport", store.Location{Engine: "etcd", Endpoints: []string{"127.0.0.1:2379"}, Prefix: "/rapport"}},
		{"etcd://a:2379,b:2379,c:2379/team/rapport/", store.Location{Engine: "etcd", Endpoints: []string{"a:2379", "b:2379", "c:2379"}, Prefix: "/team/rapport"}},
	}
	for _, tt := range good {
		got, err := store.ParseLocation(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLocation(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if again, err := store.ParseLocation(got.String()); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("ParseLocation(%q.String() = %q) = %+v, %v", tt.in, got.String(), again, err)
		}
	}
	for _, bad := range []string{"", "bolt://", "etcd://", "etcd:///rapport", "etcd://host/rapport", "etcd://a:2379", "etcd://a:2379/", "redis://x:1/y", "etcd://a:2379/p?x=1"} {
		if got, err := store.ParseLocation(bad); err == nil {
			t.Errorf("ParseLocation(%q) = %+v, want an error", bad, got)
		}
	}
}
