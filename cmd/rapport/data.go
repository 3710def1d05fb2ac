package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// runExport writes the export document to -o FILE or standard output. When
// the bot is running (the file is locked), it asks the bot's ops listener.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out *string
	cfg, rest, err := parseConfig("export", concat(storeSettings, opsSettings), args, getenv, stderr, func(fs *flag.FlagSet) {
		out = fs.String("o", "", "write to FILE instead of standard output")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("rapport export: unexpected argument %q (use -o FILE)", rest[0])
	}
	write := func(w io.Writer) error {
		return withStore(ctx, cfg, false, func(db *store.DB) error {
			return db.Export(w, time.Now())
		}, func() error {
			return fetchFromBot(ctx, cfg, "/backup?format=json", w)
		})
	}
	if *out == "" {
		return write(stdout)
	}
	return writeFileAtomic(*out, write)
}

// runBackup writes a consistent copy of the database file. While the bot
// runs, bbolt's lock keeps other processes out, so the copy comes from the
// bot's ops listener (GET /backup), which takes it inside a read
// transaction while the bot keeps writing.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out *string
	cfg, rest, err := parseConfig("backup", concat(storeSettings, opsSettings), args, getenv, stderr, func(fs *flag.FlagSet) {
		out = fs.String("o", "", "the backup FILE to write (required)")
	})
	if err != nil {
		return err
	}
	if *out == "" || len(rest) > 0 {
		return usagef("rapport backup: usage: rapport backup -o FILE")
	}
	err = writeFileAtomic(*out, func(w io.Writer) error {
		return withStore(ctx, cfg, false, func(db *store.DB) error {
			_, err := db.Backup(w)
			return err
		}, func() error {
			return fetchFromBot(ctx, cfg, "/backup", w)
		})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", *out)
	return nil
}

// runImport reads an export file into the database. It needs the bot
// stopped: an import is one transaction, and only one process may write.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := parseConfig("import", storeSettings, args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("rapport import: usage: rapport import FILE")
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	return withStore(ctx, cfg, true, func(db *store.DB) error {
		st, err := db.Import(f)
		if err != nil {
			return fmt.Errorf("import %s: nothing was changed: %w", rest[0], err)
		}
		fmt.Fprintf(stdout, "imported %s: %d kudos, %d follow-ups, %d coffee members, %d rounds, %d check-ins, %d people, %d circle entries\n",
			rest[0], st.Kudos, st.Followups, st.CoffeeMembers, st.Rounds, st.Checkins, st.People, st.CircleEntries)
		return nil
	}, nil)
}

// withStore opens the database for a one-off command. create allows a new
// file (import into a fresh database); otherwise a missing file is an error
// rather than an empty export. When the bot holds the lock, viaBot (if any)
// is used instead.
func withStore(ctx context.Context, cfg Config, create bool, f func(*store.DB) error, viaBot func() error) error {
	loc := cfg.storeLocation()
	if !create && loc.Engine == "bolt" {
		if _, err := os.Stat(loc.Path); err != nil {
			return fmt.Errorf("no database at %s (set RAPPORT_DB or -db, or RAPPORT_STORE)", loc.Path)
		}
	}
	// An etcd store is shared by design: these commands work on it while
	// the bot runs. A bbolt file is locked by the running bot.
	db, err := openStore(ctx, cfg, time.Second)
	if errors.Is(err, store.ErrLocked) {
		if viaBot != nil && cfg.HTTPAddr != "" {
			return viaBot()
		}
		return fmt.Errorf("%w; stop the bot first, or set RAPPORT_HTTP_ADDR to its ops listener to fetch a copy from it", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// fetchFromBot copies an ops listener resource to w.
func fetchFromBot(ctx context.Context, cfg Config, path string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+cfg.HTTPAddr+path, nil)
	if err != nil {
		return err
	}
	if cfg.HTTPToken != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.HTTPToken)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("the database is in use and the running bot did not answer at %s: %w", cfg.HTTPAddr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the running bot refused %s: %s", path, resp.Status)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// writeFileAtomic writes through a temporary file in the same directory and
// renames it into place, so a failed write never leaves half a file. Files
// hold personal data: they are created 0600.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
