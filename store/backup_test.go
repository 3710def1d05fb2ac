package store_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// Ensure a backup taken while the bot keeps writing is a consistent
// database that Open accepts and Check passes.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	if storetest.Engine() == "etcd" {
		t.Skip("on etcd a backup is an etcd snapshot: TestEtcdBackupIsASnapshot")
	}
	db := storetest.MustOpen(t)
	fill(t, db)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.AddKudos(store.Kudos{Giver: "U1", Text: "again", At: base.Add(time.Duration(i) * time.Second)}); err != nil {
				t.Errorf("AddKudos during backup: %v", err)
				return
			}
		}
	})

	// Several backups, so some surely overlap a write.
	for i := range 5 {
		path := filepath.Join(t.TempDir(), "backup.db")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.Backup(f)
		if err != nil {
			t.Fatalf("Backup #%d = %v", i, err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != n {
			t.Errorf("Backup #%d returned %d bytes, file has %v (%v)", i, n, fi.Size(), err)
		}

		copyDB, err := store.Open(path, store.Options{Timeout: time.Second})
		if err != nil {
			t.Fatalf("Open(backup #%d) = %v", i, err)
		}
		if err := copyDB.Check(); err != nil {
			t.Errorf("Check(backup #%d) = %v", i, err)
		}
		if f, err := copyDB.Followups(); err != nil || len(f) != 4 {
			t.Errorf("backup #%d Followups() = %d, %v, want the 4 filled in", i, len(f), err)
		}
		if err := copyDB.Close(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
