package awshttp

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

type recorder struct{ got *http.Request }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// The transport gets a body of its own: closing the caller's body does not
// close it, and it can be read again through GetBody.
func TestBufferedBodyClientGivesTheTransportItsOwnBody(t *testing.T) {
	rec := &recorder{}
	orig := io.NopCloser(strings.NewReader("Action=ListQueues"))
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", orig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (BufferedBodyClient{Inner: rec}).Do(req); err != nil {
		t.Fatal(err)
	}
	if rec.got == req || rec.got.Body == req.Body {
		t.Fatal("the transport got the caller's request body")
	}
	if rec.got.ContentLength != int64(len("Action=ListQueues")) {
		t.Errorf("ContentLength = %d", rec.got.ContentLength)
	}
	for range 2 {
		b, err := rec.got.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := io.ReadAll(b); string(s) != "Action=ListQueues" {
			t.Errorf("GetBody gave %q", s)
		}
	}
}

func TestBufferedBodyClientPassesBodilessRequests(t *testing.T) {
	rec := &recorder{}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if _, err := (BufferedBodyClient{Inner: rec}).Do(req); err != nil {
		t.Fatal(err)
	}
	if rec.got != req {
		t.Error("a request without a body was copied")
	}
}
