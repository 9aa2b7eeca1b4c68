package eventbridge_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// TestPutEventsTimeRange sends Time values the Go SDK cannot (it formats
// through UnixNano, which wraps outside 1678–2262), so the request is
// written by hand: an event's time must be writable as RFC 3339.
func TestPutEventsTimeRange(t *testing.T) {
	env := awssimtest.StartOrg(t, "111111111111")
	times := []struct {
		time string
		code string
	}{
		{"1767225600", ""},                  // 2026-01-01
		{"253402300799", ""},                // 9999-12-31T23:59:59Z
		{"-62167219200", ""},                // 0000-01-01T00:00:00Z
		{"253402300800", "InvalidArgument"}, // year 10000
		{"-62167219201", "InvalidArgument"}, // before year 0
		{"1e300", "InvalidArgument"},
		{"-1e300", "InvalidArgument"},
	}
	var entries []string
	for _, tt := range times {
		entries = append(entries, `{"Source":"app","DetailType":"x","Detail":"{}","Time":`+tt.time+`}`)
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(`{"Entries":[`+strings.Join(entries, ",")+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Entries []struct{ EventId, ErrorCode string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, decode: %v", resp.StatusCode, err)
	}
	if len(out.Entries) != len(times) {
		t.Fatalf("%d entries answered, want %d", len(out.Entries), len(times))
	}
	for i, tt := range times {
		if got := out.Entries[i].ErrorCode; got != tt.code {
			t.Errorf("Time %s: ErrorCode = %q, want %q", tt.time, got, tt.code)
		}
	}
}
