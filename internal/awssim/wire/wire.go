// Package wire holds the protocol pieces every simulated AWS service
// shares: the decoded request with the caller's identity, the operation
// wrapper that decodes its input, the error shapes AWS returns and the
// Query-protocol form readers. Service packages import it; it imports none
// of them.
package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Protocol is the wire protocol a service speaks.
type Protocol int

const (
	// JSON10 is awsJson1_0 (SQS).
	JSON10 Protocol = iota
	// JSON11 is awsJson1_1 (EventBridge, KMS, Organizations, Cost Explorer, CloudTrail).
	JSON11
	// Query is the awsQuery protocol: form-encoded request, XML response (SNS, STS).
	Query
)

// Request is one decoded AWS API call.
type Request struct {
	Service   string // SigV4 signing name: "sqs", "events", ...
	Operation string // "CreateQueue"
	Account   string // 12-digit account the caller's credentials act as
	Region    string // region from the SigV4 credential scope
	AccessKey string
	// Principal is the caller's ARN: arn:aws:iam::ACCOUNT:root for base
	// credentials, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION after AssumeRole.
	Principal string
	// UserID is the caller's unique ID as GetCallerIdentity's UserId shows
	// it: the role's ID and the session name (AssumedRoleId) after
	// AssumeRole, "" for base credentials.
	UserID    string
	RequestID string
	Host      string // Host header, used to build queue URLs
	Body      []byte // raw body for JSON protocols
	Form      url.Values
	Header    http.Header
	Now       time.Time
}

// Decode unmarshals a JSON-protocol body into v. An empty body decodes as {}.
func (r *Request) Decode(v any) error {
	if len(r.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return Errorf("SerializationException", http.StatusBadRequest, "could not parse request body: %v", err)
	}
	return nil
}

// Handler serves one operation. It returns the result value (a struct that
// encodes to the operation's output shape) or an error; an error that is not
// an *Error becomes an InternalFailure.
type Handler func(ctx context.Context, r *Request) (any, error)

// Op is the Handler of a JSON-protocol operation whose body decodes into
// In: the handler receives the decoded input, and a body that does not
// decode is a SerializationException before it runs.
func Op[In any](serve func(ctx context.Context, r *Request, in In) (any, error)) Handler {
	return func(ctx context.Context, r *Request) (any, error) {
		var in In
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return serve(ctx, r, in)
	}
}

// Locked is the Handler of an operation on one resource: it decodes the
// input (as Op), checks it (when it has a Validate method), then under mu
// finds the resource the input names and serves the call with it.
func Locked[In, Res any](mu sync.Locker, find func(r *Request, in In) (Res, error), serve func(r *Request, in In, res Res) (any, error)) Handler {
	return Op(func(_ context.Context, r *Request, in In) (any, error) {
		if v, ok := any(in).(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return nil, err
			}
		}
		mu.Lock()
		defer mu.Unlock()
		res, err := find(r, in)
		if err != nil {
			return nil, err
		}
		return serve(r, in, res)
	})
}

// Service describes one simulated AWS service.
type Service struct {
	SigningName  string // SigV4 service name in the credential scope
	Protocol     Protocol
	TargetPrefix string // X-Amz-Target prefix before the dot (JSON protocols)
	// TargetAliases are other X-Amz-Target prefixes clients send for the
	// same service: the SDKs do not agree on one (CloudTrail).
	TargetAliases []string
	XMLNamespace  string // response xmlns (Query protocol)
	// ThrottleCode and AccessDeniedCode are the error codes this service
	// answers with when a fault is injected.
	ThrottleCode     string
	AccessDeniedCode string
	Ops              map[string]Handler
}

// Error is an AWS error response.
type Error struct {
	Code    string
	Message string
	Status  int
	// QueryCode is the awsQuery-compatible code SQS sends in the
	// x-amzn-query-error header ("AWS.SimpleQueueService.NonExistentQueue").
	QueryCode string
	// Fields are extra members of a JSON error body, such as the Reason of
	// Organizations' InvalidInputException. Query errors ignore them.
	Fields map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// Sender faults with the codes shared by many services.
func Validation(format string, args ...any) *Error {
	return Errorf("ValidationException", http.StatusBadRequest, format, args...)
}

// NotFound is the JSON services' ResourceNotFoundException.
func NotFound(format string, args ...any) *Error {
	return Errorf("ResourceNotFoundException", http.StatusBadRequest, format, args...)
}

// AccessDenied is returned when a policy or a fault denies the call.
func AccessDenied(format string, args ...any) *Error {
	return Errorf("AccessDeniedException", http.StatusBadRequest, format, args...)
}

// Codes the identity resolver returns for temporary credentials it does not
// accept. They are the awsQuery (STS) codes; the router answers JSON
// services with UnrecognizedClientException / ExpiredTokenException instead.
const (
	CodeInvalidToken = "InvalidClientTokenId"
	CodeExpiredToken = "ExpiredToken"
)

// InvalidToken is the error for a session token that does not belong to
// the access key.
func InvalidToken() *Error {
	return Errorf(CodeInvalidToken, http.StatusForbidden, "The security token included in the request is invalid.")
}

// ExpiredToken is the error for temporary credentials past their expiration.
func ExpiredToken() *Error {
	return Errorf(CodeExpiredToken, http.StatusBadRequest, "The security token included in the request is expired")
}

// AsError converts any error to an *Error, defaulting to InternalFailure.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Message: err.Error()}
}
