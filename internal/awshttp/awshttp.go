// Package awshttp guards the AWS SDK's HTTP requests against a race in
// net/http. It is its own package so that the simulator's test harness can
// share it without depending on the product's AWS code.
package awshttp

import (
	"bytes"
	"io"
	"net/http"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
)

// BufferedBodyClient hands the transport its own copy of the request body.
//
// net/http's write loop reads a request body once more after Content-Length
// bytes to check for extra data; the SDK closes its body as soon as the
// response arrives, and on a busy machine that second read can come after
// the close, fail, and make the transport close the connection while the
// response is being read ("use of closed network connection",
// aws/aws-sdk-go-v2#2737). A private copy removes the race. Request bodies
// of the APIs orgnotify calls are small (policies, patterns, messages).
type BufferedBodyClient struct{ Inner sdkaws.HTTPClient }

// Do sends req with a body the SDK cannot close under the transport.
func (c BufferedBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.Inner.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(b))
	clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	clone.ContentLength = int64(len(b))
	return c.Inner.Do(clone)
}
