package wire

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewUUID returns a random (version 4) UUID, the form AWS gives request
// and event IDs.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return FormatUUID(b)
}

// FormatUUID writes 16 bytes in a UUID's 8-4-4-4-12 hex form; a service
// that derives stable IDs from a hash uses it directly.
func FormatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// EpochSeconds is a timestamp as the JSON protocols write it: seconds since
// the Unix epoch, to the millisecond.
func EpochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// EpochTime reads a JSON-protocol timestamp (seconds since the Unix epoch,
// with a fraction) as a time in UTC.
func EpochTime(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}
