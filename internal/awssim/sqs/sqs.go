// Package sqs simulates Amazon SQS as the aws-sdk-go-v2 client speaks it:
// the awsJson1_0 protocol in query-compatible mode, so errors carry both the
// JSON __type and the x-amzn-query-error code. Queues live per account and
// region, messages have visibility timeouts, receive counts and long
// polling, and cross-account callers and service deliveries (EventBridge,
// SNS) pass through the queue policy and, for encrypted queues, the KMS key
// policy, as in AWS.
package sqs

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Limits and defaults from the SQS developer guide.
const (
	defaultVisibility     = 30 * time.Second
	maxVisibility         = 12 * time.Hour
	defaultRetention      = 4 * 24 * time.Hour
	defaultMaxMessageSize = 256 << 10
	maxMessageSizeLimit   = 1 << 20
	maxDelay              = 15 * time.Minute
	maxWait               = 20 * time.Second
	maxBatch              = 10
	maxMessageAttributes  = 10
	dedupWindow           = 5 * time.Minute
	// AWS refuses to recreate a deleted queue's name, and a second purge,
	// for 60 seconds.
	recreateDelay = 60 * time.Second
	purgeDelay    = 60 * time.Second
)

// scope is one account in one region.
type scope struct{ account, region string }

// Store holds queues per account and region.
type Store struct {
	keys handoff.KeyAuthorizer

	mu      sync.Mutex
	now     func() time.Time
	queues  map[scope]map[string]*queue
	deleted map[scope]map[string]time.Time // name → deletion time
}

// New returns an empty queue store. keys authorizes service deliveries to
// queues encrypted with a KMS key; nil accepts every key.
func New(keys handoff.KeyAuthorizer) *Store {
	return &Store{keys: keys, now: time.Now, queues: map[scope]map[string]*queue{}, deleted: map[scope]map[string]time.Time{}}
}

// SetClock replaces the clock used outside API calls (Deliver); API calls
// use the router's clock through Request.Now.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Service is the SQS service.
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:  "sqs",
		Protocol:     wire.JSON10,
		TargetPrefix: "AmazonSQS",
		ThrottleCode: "RequestThrottled",
		Ops: map[string]wire.Handler{
			"CreateQueue":             wire.Op(s.createQueue),
			"GetQueueUrl":             wire.Op(s.getQueueURL),
			"GetQueueAttributes":      onQueue(s, "sqs:GetQueueAttributes", s.getQueueAttributes),
			"SetQueueAttributes":      onQueue(s, "sqs:SetQueueAttributes", s.setQueueAttributes),
			"ListQueues":              wire.Op(s.listQueues),
			"DeleteQueue":             onQueue(s, "sqs:DeleteQueue", s.deleteQueue),
			"PurgeQueue":              onQueue(s, "sqs:PurgeQueue", s.purgeQueue),
			"TagQueue":                onQueue(s, "sqs:TagQueue", s.tagQueue),
			"UntagQueue":              onQueue(s, "sqs:UntagQueue", s.untagQueue),
			"ListQueueTags":           onQueue(s, "sqs:ListQueueTags", s.listQueueTags),
			"SendMessage":             onQueue(s, "sqs:SendMessage", s.sendMessage),
			"SendMessageBatch":        onQueue(s, "sqs:SendMessage", s.sendMessageBatch),
			"ReceiveMessage":          wire.Op(s.receiveMessage),
			"DeleteMessage":           onQueue(s, "sqs:DeleteMessage", s.deleteMessage),
			"DeleteMessageBatch":      onQueue(s, "sqs:DeleteMessage", s.deleteMessageBatch),
			"ChangeMessageVisibility": onQueue(s, "sqs:ChangeMessageVisibility", s.changeMessageVisibility),
		},
	}
}

// onQueue is an operation on the queue its input's QueueUrl names,
// checked, found and authorized for action under the store's lock.
func onQueue[In interface{ url() string }](s *Store, action string, serve func(*wire.Request, In, *queue) (any, error)) wire.Handler {
	return wire.Locked(&s.mu, func(r *wire.Request, in In) (*queue, error) { return s.find(r, in.url(), action) }, serve)
}

// sqsError builds an error with its JSON type and its awsQuery code; the
// SDK reports the latter as ErrorCode() and uses the former to pick the
// typed error (*types.QueueDoesNotExist).
func sqsError(jsonType, queryCode string, format string, args ...any) *wire.Error {
	e := wire.Errorf(jsonType, http.StatusBadRequest, format, args...)
	e.QueryCode = queryCode + ";Sender"
	return e
}

func noQueue() *wire.Error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func invalidParameter(format string, args ...any) *wire.Error {
	return sqsError("InvalidParameterValue", "InvalidParameterValue", format, args...)
}

func missingParameter(name string) *wire.Error {
	return sqsError("MissingParameter", "MissingParameter", "The request must contain the parameter %s.", name)
}

func invalidAttributeName(format string, args ...any) *wire.Error {
	return sqsError("InvalidAttributeName", "InvalidAttributeName", format, args...)
}

func invalidAttributeValue(format string, args ...any) *wire.Error {
	return sqsError("InvalidAttributeValue", "InvalidAttributeValue", format, args...)
}

func accessDenied(principal, action, resource string) *wire.Error {
	return sqsError("AccessDenied", "AccessDenied",
		"User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action", principal, action, resource, action)
}

var queueNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkQueueName applies the naming rules: 1–80 characters of letters,
// digits, hyphens and underscores, where a FIFO queue's name ends in
// ".fifo" (counted in the 80).
func checkQueueName(name string, fifo bool) *wire.Error {
	base, isFifoName := strings.CutSuffix(name, ".fifo")
	if len(name) > 80 || !queueNameRe.MatchString(base) {
		return invalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if fifo != isFifoName {
		return invalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	return nil
}

// queueURL is the URL AWS would give the queue, on the host the caller
// used so the SDK (and goaws-style clients that follow URLs) reach us.
func queueURL(host, account, name string) string {
	return "http://" + host + "/" + account + "/" + name
}

// parseQueueURL returns the account and name in a queue URL. The host is
// ignored: AWS accepts any of its endpoint spellings.
func parseQueueURL(raw string) (account, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// find resolves a QueueUrl of a request and checks the caller may perform
// action on it. The caller holds s.mu.
func (s *Store) find(r *wire.Request, rawURL, action string) (*queue, error) {
	if rawURL == "" {
		return nil, missingParameter("QueueUrl")
	}
	account, name, ok := parseQueueURL(rawURL)
	if !ok {
		return nil, sqsError("InvalidAddress", "InvalidAddress", "The address %s is not valid for this endpoint.", rawURL)
	}
	q := s.queues[scope{account, r.Region}][name]
	if q == nil {
		return nil, noQueue()
	}
	if err := q.authorizeCaller(r, action); err != nil {
		return nil, err
	}
	return q, nil
}

// authorizeCaller lets the queue's own account through (identity policies
// are out of scope) and asks the queue policy about everyone else.
func (q *queue) authorizeCaller(r *wire.Request, action string) error {
	if r.Account == q.account {
		return nil
	}
	if q.policy == nil || !q.policy.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{AWS: r.Principal, Account: r.Account},
		Action:    action,
		Resource:  q.arn,
	}) {
		return accessDenied(r.Principal, action, q.arn)
	}
	return nil
}

// newReceiptHandle returns an opaque handle that names the message, so a
// stale handle of a redelivered message can still be told apart.
func newReceiptHandle(messageID string) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString([]byte(messageID)) + "." + base64.RawURLEncoding.EncodeToString(b[:])
}

func messageIDOfHandle(h string) (string, bool) {
	id, _, ok := strings.Cut(h, ".")
	if !ok {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

func epochSeconds(t time.Time) string { return itoa(t.Unix()) }

func epochMillis(t time.Time) string { return itoa(t.UnixMilli()) }
