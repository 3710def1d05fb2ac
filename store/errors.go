package store

import "errors"

// Sentinel errors. Methods wrap them with the operation and the record
// concerned ("store: get followup 7: not found"); test with errors.Is.
var (
	// ErrNotFound is returned when a record asked for by id or key does not
	// exist.
	ErrNotFound = errors.New("not found")

	// ErrLocked is returned by Open when another process (probably another
	// rapport) still holds the database file's lock after Options.Timeout.
	ErrLocked = errors.New("database is locked by another process")

	// ErrNotDatabase is returned by Open when the file exists but is not a
	// rapport database: a foreign file, a truncated or damaged bbolt file,
	// or a bbolt file written by another program. Open leaves such a file
	// exactly as it found it.
	ErrNotDatabase = errors.New("not a rapport database")

	// ErrSchemaTooNew is returned by Open when the file was written by a
	// newer rapport whose schema version this binary does not know. Open
	// leaves the file untouched; run the newer binary (or restore a backup).
	ErrSchemaTooNew = errors.New("schema version is newer than this binary supports")

	// ErrInvalidImport is returned by Import when the document is not a
	// valid rapport export: wrong format or version, a wrongly typed or
	// missing field, a bad id or time. The error names the field
	// ("kudos[3].at: …"); nothing was written.
	ErrInvalidImport = errors.New("invalid import document")

	// ErrConflict is returned when a record is not in the state an
	// operation needs, usually because another worker changed it first:
	// ClaimOutgoing of an item that is no longer pending and due, or
	// FinishOutgoing of one that is not being sent. Re-read and decide;
	// do not retry blindly.
	ErrConflict = errors.New("conflict")

	// ErrAllowanceExceeded is returned (through an *AllowanceError, which
	// has the numbers) by GiveKudos when the kudos would take its giver
	// past their daily allowance. Nothing was stored.
	ErrAllowanceExceeded = errors.New("daily kudos allowance exceeded")
)
