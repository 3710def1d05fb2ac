package store_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// The bot claims every Slack delivery before acting on it, so a
// redelivered event is done once, even across restarts.
func ExampleDB_ClaimEvent() {
	dir, err := os.MkdirTemp("", "rapport")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "rapport.db"), store.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	first, _ := db.ClaimEvent("Ev0123ABC", at)
	fmt.Println("first delivery:", first)
	first, _ = db.ClaimEvent("Ev0123ABC", at.Add(3*time.Second))
	fmt.Println("redelivery:", first)

	removed, _ := db.PruneEvents(at.Add(24 * time.Hour))
	fmt.Println("pruned:", removed)
	// Output:
	// first delivery: true
	// redelivery: false
	// pruned: 1
}

// Export writes the version 2 export document: records, people and their
// settings, and the stay-in-touch circle.
func ExampleDB_Export() {
	dir, err := os.MkdirTemp("", "rapport")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "rapport.db"), store.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	if _, err := db.AddCheckin(store.Checkin{User: "U1", With: "U2", At: at, Note: "lunch"}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := db.UpdatePerson("U1", func(p *store.Person) {
		p.TZOverride, p.WorkStart, p.WorkEnd = "America/New_York", 8*time.Hour, 16*time.Hour+30*time.Minute
		p.WorkDays = []time.Weekday{time.Monday, time.Tuesday}
	}, store.Effects{}); err != nil {
		log.Fatal(err)
	}
	if err := db.Export(os.Stdout, at.Add(2*time.Hour)); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {
	//   "format": "rapport-export",
	//   "version": 2,
	//   "exported_at": "2026-11-28T12:00:00Z",
	//   "kudos": [],
	//   "followups": [],
	//   "coffee": {
	//     "members": [],
	//     "rounds": []
	//   },
	//   "checkins": [
	//     {
	//       "id": "1",
	//       "user": "U1",
	//       "with": "U2",
	//       "at": "2026-11-28T10:00:00Z",
	//       "note": "lunch"
	//     }
	//   ],
	//   "people": [
	//     {
	//       "user": "U1",
	//       "name": "",
	//       "tz": "",
	//       "tz_override": "America/New_York",
	//       "work_start": "08:00",
	//       "work_end": "16:30",
	//       "work_days": [
	//         "Mon",
	//         "Tue"
	//       ],
	//       "muted": [],
	//       "style": "",
	//       "last_reconnect": null,
	//       "home_opened": null,
	//       "teams": [],
	//       "joined_workspace": null,
	//       "is_bot": false,
	//       "deleted": false,
	//       "is_restricted": false,
	//       "is_stranger": false,
	//       "updated": null
	//     }
	//   ],
	//   "circle": []
	// }
}
