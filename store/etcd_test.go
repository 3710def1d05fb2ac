package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

// Ensure a backup of a store on etcd is an etcd snapshot: a bbolt file in
// etcd's own layout (which "etcdutl snapshot restore" restores) holding
// the store's keys.
func TestEtcdBackupIsASnapshot(t *testing.T) {
	c := etcdtest.Start(t, 1)
	db, err := store.OpenEtcdClient(t.Context(), c.Client(t), "/rapport", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "snapshotted", At: base}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snap.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Backup(f)
	if err != nil || n == 0 {
		t.Fatalf("Backup = %d, %v", n, err)
	}
	f.Close()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("the snapshot is not a bbolt file: %v", err)
	}
	defer bdb.Close()
	found := false
	_ = bdb.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("key")) // etcd's keys and values, by revision
		if b == nil {
			t.Fatal("no key bucket in the snapshot")
		}
		return b.ForEach(func(_, v []byte) error {
			found = found || bytes.Contains(v, []byte("snapshotted"))
			return nil
		})
	})
	if !found {
		t.Error("the snapshot lacks the kudos")
	}
}

// Ensure OpenEtcd fails at once, naming the cluster and wrapping
// ErrUnreachable, when nothing listens, and refuses a prefix that holds
// keys but no schema version.
func TestOpenEtcdErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := store.OpenEtcd(ctx, store.EtcdOptions{Endpoints: []string{"127.0.0.1:1"}, Prefix: "/rapport", DialTimeout: 500 * time.Millisecond}, store.Options{})
	if !errors.Is(err, store.ErrUnreachable) {
		t.Errorf("OpenEtcd(nothing listening) = %v, want ErrUnreachable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("OpenEtcd took %v to give up", d)
	}

	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	if _, err := cli.Put(ctx, "/other/b/kudos/x", "y"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenEtcdClient(ctx, cli, "/other", store.Options{}); !errors.Is(err, store.ErrNotDatabase) {
		t.Errorf("OpenEtcdClient(foreign keys) = %v, want ErrNotDatabase", err)
	}
	for _, bad := range []string{"", "/", "rapport", "/rapport/"} {
		if _, err := store.OpenEtcdClient(ctx, cli, bad, store.Options{}); err == nil {
			t.Errorf("OpenEtcdClient(prefix %q) = nil error", bad)
		}
	}
}
