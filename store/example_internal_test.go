package store

import (
	"fmt"
	"time"
)

// A time index key is be64(unix nanoseconds) ‖ be64(id): fixed width, so
// byte order is time order, then id order.
func Example_timeIDKey() {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	k := timeIDKey(at, 7)
	fmt.Printf("% x\n", k[:8])
	fmt.Printf("% x\n", k[8:])

	t, id, _ := parseTimeIDKey(k)
	fmt.Println(t.Format(time.RFC3339), id)

	// A range scan seeks to the 8-byte prefix of its start.
	fmt.Printf("% x\n", timeKey(at))
	// Output:
	// 18 ec 2d 27 b6 55 40 00
	// 00 00 00 00 00 00 00 07
	// 2026-11-28T10:00:00Z 7
	// 18 ec 2d 27 b6 55 40 00
}

// A per-user index key is user ID ‖ 0x00 ‖ be64(unix nanoseconds) ‖
// be64(id): one user's entries form one range, by time then id, and the
// 0x00 keeps "U1" apart from "U12".
func Example_userTimeIDKey() {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	k := userTimeIDKey("U1", at, 7)
	fmt.Printf("% x\n", k)

	user, t, id, _ := parseUserTimeIDKey(k)
	fmt.Println(user, t.Format(time.RFC3339), id)

	// "Kudos given by U1 today" seeks to userTimeKey("U1", midnight).
	fmt.Printf("% x\n", userTimeKey("U1", at.Truncate(24*time.Hour)))
	// Output:
	// 55 31 00 18 ec 2d 27 b6 55 40 00 00 00 00 00 00 00 00 07
	// U1 2026-11-28T10:00:00Z 7
	// 55 31 00 18 ec 0c 69 cf 1f 00 00
}
