package store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"
)

// Health is what an operator watches of the store's engine.
type Health struct {
	SizeBytes int64    // the bbolt file, or the largest etcd member's database
	Alarms    []string // etcd's active alarms ("NOSPACE", "CORRUPT"); none on bbolt
}

// NoSpace reports whether etcd raised its NOSPACE alarm: the cluster is
// read-only until space is freed (compaction, defragmentation, a larger
// quota) and the alarm disarmed.
func (h Health) NoSpace() bool { return slices.Contains(h.Alarms, "NOSPACE") }

// Health reports the store's size and the engine's alarms.
func (db *DB) Health(ctx context.Context) (Health, error) {
	if db.etcd == nil {
		fi, err := os.Stat(db.path)
		if err != nil {
			return Health{}, fmt.Errorf("store: health: %w", err)
		}
		return Health{SizeBytes: fi.Size()}, nil
	}
	return db.etcd.health(ctx)
}

func (e *etcdEngine) health(ctx context.Context) (Health, error) {
	ctx, cancel := context.WithTimeout(ctx, min(e.timeout, 5*time.Second))
	defer cancel()
	var h Health
	for _, ep := range e.cli.Endpoints() {
		st, err := e.cli.Status(ctx, ep)
		if err != nil {
			continue // a member down is a member down; the alarms say more
		}
		h.SizeBytes = max(h.SizeBytes, st.DbSize)
	}
	alarms, err := e.cli.AlarmList(ctx)
	if err != nil {
		return h, fmt.Errorf("store: health: etcd alarms: %w", err)
	}
	for _, a := range alarms.Alarms {
		name := a.Alarm.String()
		if !slices.Contains(h.Alarms, name) {
			h.Alarms = append(h.Alarms, name)
		}
	}
	return h, nil
}

// CompactHistory keeps the engine's history bounded: on etcd it compacts
// to the revision the previous call saw (an hourly call keeps an hour);
// on bbolt, which keeps no history, it does nothing.
func (db *DB) CompactHistory() error {
	if db.etcd == nil {
		return nil
	}
	if err := db.etcd.compactHistory(context.Background()); err != nil {
		return fmt.Errorf("store: compact history: %w", err)
	}
	return nil
}
