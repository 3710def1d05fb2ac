package store

import (
	"fmt"
	"slices"
)

// teamsChunk is how many changed people one SetTeams transaction writes:
// a workspace-wide refresh touches thousands of records at most, in a few
// dozen short transactions, each well inside etcd's limit on the
// operations of one transaction.
const teamsChunk = 100

// PersonIDs returns the IDs of everyone Rapport keeps a record of, sorted.
func (db *DB) PersonIDs() ([]string, error) {
	var ids []string
	err := db.view(func(tx kvTx) error {
		return tx.Bucket(bucketPeople).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: person IDs: %w", err)
	}
	return ids, nil
}

// SetTeams brings the Teams of the people Rapport keeps a record of in
// line with teams (user ID → team names), for the teams in scope: each
// person keeps the teams outside scope and gets exactly their teams in
// teams[id] that are in scope. A nil scope means every team: each person's
// Teams become teams[id], so someone absent from teams has no team. With
// scope {"design"} only membership of "design" changes, which is a refresh
// of that one user group. Names in teams outside a non-nil scope are
// ignored.
//
// Only people Rapport already has a record of are written: a team list
// creates nobody. Records whose teams do not change are not written, and
// the changed ones are written at most teamsChunk to a transaction, each
// re-read inside its transaction so that a concurrent change of anything
// else about the person is kept. It returns how many records changed.
func (db *DB) SetTeams(teams map[string][]string, scope []string) (int, error) {
	inScope := func(t string) bool { return scope == nil || slices.Contains(scope, t) }
	want := func(id string, current []string) []string {
		var next []string
		for _, t := range current {
			if !inScope(t) {
				next = append(next, t)
			}
		}
		for _, t := range teams[id] {
			if inScope(t) {
				next = append(next, t)
			}
		}
		return sortedSet(next)
	}
	// Find the changed records in one read, so an unchanged refresh of a
	// large workspace writes nothing.
	var changed []string
	err := db.view(func(tx kvTx) error {
		return tx.Bucket(bucketPeople).ForEach(func(k, v []byte) error {
			var rec personRecord
			if err := decodeValue(v, &rec); err != nil {
				return fmt.Errorf("decode %s: %w", k, err)
			}
			if !slices.Equal(want(string(k), rec.Teams), rec.Teams) {
				changed = append(changed, string(k))
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: set teams: %w", err)
	}
	n := 0
	for chunk := range slices.Chunk(changed, teamsChunk) {
		written := 0
		err := db.update(func(tx kvTx) error {
			written = 0 // etcd may run this again
			b := tx.Bucket(bucketPeople)
			for _, id := range chunk {
				v := b.Get([]byte(id))
				if v == nil {
					continue // forgotten meanwhile: create nobody
				}
				var rec personRecord
				if err := decodeValue(v, &rec); err != nil {
					return fmt.Errorf("decode %s: %w", id, err)
				}
				next := want(id, rec.Teams)
				if slices.Equal(next, rec.Teams) {
					continue
				}
				rec.Teams = next
				if err := putValue(b, []byte(id), rec); err != nil {
					return err
				}
				written++
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("store: set teams: %w", err)
		}
		n += written
	}
	return n, nil
}
