// Package sns simulates Amazon SNS over the awsQuery protocol (form in,
// XML out): topics with policies, KMS encryption and tags; subscriptions
// with filter policies and raw delivery; Publish fanning out to SQS
// subscribers in the SNS notification envelope. Deliveries from
// EventBridge pass the topic policy and, for an encrypted topic, the KMS
// key policy, as in AWS.
package sns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Limits from the SNS developer guide.
const (
	maxMessageBytes = 256 << 10
	maxSubject      = 100
	pageSize        = 100
	maxTags         = 50
)

const servicePrincipal = "sns.amazonaws.com"

// typedDeliverer is implemented by the SQS simulator: raw message delivery
// keeps each attribute's data type.
type typedDeliverer interface {
	DeliverTyped(ctx context.Context, d handoff.Delivery, dataTypes map[string]string) error
}

// Store holds topics and subscriptions per account and region.
type Store struct {
	queues handoff.Deliverer
	keys   handoff.KeyAuthorizer
	orgs   handoff.OrgLookup

	mu     sync.Mutex
	now    func() time.Time
	topics map[string]*topic // by ARN
	subs   map[string]*subscription
	// lastErr keeps each subscription's latest delivery failure, which AWS
	// shows only in CloudWatch; tests read it through DeliveryError.
	lastErr map[string]error
}

// New returns an empty topic store that delivers to queues. keys
// authorizes EventBridge's use of a topic's KMS key (nil: any key); orgs
// answers aws:PrincipalOrgID.
func New(queues handoff.Deliverer, keys handoff.KeyAuthorizer, orgs handoff.OrgLookup) *Store {
	return &Store{queues: queues, keys: keys, orgs: orgs, now: time.Now,
		topics: map[string]*topic{}, subs: map[string]*subscription{}, lastErr: map[string]error{}}
}

// SetClock replaces the clock used outside API calls (Deliver).
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// DeliveryError returns the error of the latest failed delivery to a
// subscription, or nil.
func (s *Store) DeliveryError(subscriptionARN string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr[subscriptionARN]
}

// Service is the SNS service.
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:      "sns",
		Protocol:         wire.Query,
		XMLNamespace:     "http://sns.amazonaws.com/doc/2010-03-31/",
		ThrottleCode:     "Throttling",
		AccessDeniedCode: "AuthorizationError",
		Ops: map[string]wire.Handler{
			"CreateTopic":               s.createTopic,
			"GetTopicAttributes":        onTopic(s, "TopicArn", s.lookupTopic, "sns:GetTopicAttributes", s.getTopicAttributes),
			"SetTopicAttributes":        onTopic(s, "TopicArn", s.lookupTopic, "sns:SetTopicAttributes", s.setTopicAttributes),
			"DeleteTopic":               s.deleteTopic,
			"ListTopics":                s.listTopics,
			"Subscribe":                 s.subscribe,
			"ConfirmSubscription":       s.confirmSubscription,
			"Unsubscribe":               onSubscription(s, s.unsubscribe),
			"GetSubscriptionAttributes": onSubscription(s, s.getSubscriptionAttributes),
			"SetSubscriptionAttributes": onSubscription(s, s.setSubscriptionAttributes),
			"ListSubscriptions":         s.listSubscriptions,
			"ListSubscriptionsByTopic":  onTopic(s, "TopicArn", s.liveTopic, "sns:ListSubscriptionsByTopic", s.listSubscriptionsByTopic),
			"TagResource":               s.tagResource,
			"UntagResource":             onTopic(s, "ResourceArn", s.tagTarget, "sns:UntagResource", s.untagResource),
			"ListTagsForResource":       onTopic(s, "ResourceArn", s.tagTarget, "sns:ListTagsForResource", s.listTagsForResource),
			"Publish":                   s.publish,
		},
	}
}

// topic is one topic.
type topic struct {
	arn, name, account, region string
	fifo                       bool
	attrs                      map[string]string // settable attributes as set
	policy                     *iampolicy.Policy // in force: the one set, else AWS's default
	tags                       map[string]string
	subs                       []string // subscription ARNs in creation order
}

// subscription is one subscription.
type subscription struct {
	arn, topicARN, owner, protocol, endpoint string
	confirmed                                bool
	token                                    string
	created                                  time.Time // a pending one expires pendingTTL after
	attrs                                    map[string]string
	filter                                   *filterPolicy
}

func invalidParameter(format string, args ...any) *wire.Error {
	return wire.Errorf("InvalidParameter", http.StatusBadRequest, format, args...)
}

func notFound(format string, args ...any) *wire.Error {
	return wire.Errorf("NotFound", http.StatusNotFound, format, args...)
}

func authorizationError(principal, action, resource string) *wire.Error {
	return wire.Errorf("AuthorizationError", http.StatusForbidden,
		"User: %s is not authorized to perform: %s on resource: %s", principal, action, resource)
}

var topicNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// onTopic is an operation on the topic its param names (found by find),
// which the caller may perform action on; both are checked under the
// store's lock.
func onTopic(s *Store, param string, find func(arn string) (*topic, error), action string, serve func(r *wire.Request, t *topic) (any, error)) wire.Handler {
	lookup := func(r *wire.Request, _ struct{}) (*topic, error) { return s.topicFor(r, param, find, action) }
	return wire.Locked(&s.mu, lookup, func(r *wire.Request, _ struct{}, t *topic) (any, error) { return serve(r, t) })
}

// topicFor finds the topic r's param names and checks that the caller may
// perform action on it. The caller holds s.mu.
func (s *Store) topicFor(r *wire.Request, param string, find func(arn string) (*topic, error), action string) (*topic, error) {
	t, err := find(r.Form.Get(param))
	if err != nil {
		return nil, err
	}
	return t, s.authorize(r, t, action)
}

// lookupTopic finds a topic by ARN. The caller holds s.mu.
func (s *Store) lookupTopic(arn string) (*topic, error) {
	if arn == "" {
		return nil, invalidParameter("Invalid parameter: TopicArn")
	}
	t := s.topics[arn]
	if t == nil {
		return nil, notFound("Topic does not exist")
	}
	return t, nil
}

// authorize lets the topic's own account through (identity policies are
// out of scope) and asks the topic policy, the default one when none is
// set, about callers of other accounts.
func (s *Store) authorize(r *wire.Request, t *topic, action string) error {
	if r.Account == t.account {
		return nil
	}
	ctx := map[string]string{"aws:SourceOwner": r.Account}
	if s.orgs != nil {
		if id, ok := s.orgs.OrgIDOf(r.Account); ok {
			ctx["aws:PrincipalOrgID"] = id
		}
	}
	if !t.policy.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{AWS: r.Principal, Account: r.Account},
		Action:    action, Resource: t.arn, Context: ctx,
	}) {
		return authorizationError(r.Principal, action, t.arn)
	}
	return nil
}
