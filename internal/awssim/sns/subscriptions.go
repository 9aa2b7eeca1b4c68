package sns

import (
	"context"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// pendingARN is what Subscribe and the list calls show for a subscription
// waiting for confirmation.
const (
	pendingSubscribe = "pending confirmation"
	pendingList      = "PendingConfirmation"
)

// pendingTTL is how long an unconfirmed subscription lives: AWS deletes
// it after 48 hours (and its confirmation token stops working).
const pendingTTL = 48 * time.Hour

// expirePending deletes the unconfirmed subscriptions older than
// pendingTTL, by the store's clock. The caller holds s.mu.
func (s *Store) expirePending() {
	now := s.now()
	for _, t := range s.topics {
		kept := t.subs[:0]
		for _, arn := range t.subs {
			sub := s.subs[arn]
			if !sub.confirmed && !now.Before(sub.created.Add(pendingTTL)) {
				delete(s.subs, arn)
				delete(s.lastErr, arn)
				continue
			}
			kept = append(kept, arn)
		}
		t.subs = kept
	}
}

// liveTopic finds a topic by ARN (as lookupTopic) once expired pending
// subscriptions are gone. The caller holds s.mu.
func (s *Store) liveTopic(arn string) (*topic, error) {
	s.expirePending()
	return s.lookupTopic(arn)
}

// checkEndpoint validates an endpoint for its protocol and reports whether
// the subscription is confirmed at once: AWS confirms SQS and Lambda
// subscriptions itself and waits for email and HTTP(S) endpoints to
// confirm.
func checkEndpoint(protocol, endpoint string) (confirmed bool, err error) {
	switch protocol {
	case "sqs", "lambda", "firehose":
		// The protocol names the endpoint's service.
		a, ok := awsarn.Parse(endpoint)
		if !ok || a.Service != protocol || a.Region == "" || a.Account == "" || a.Resource == "" {
			return false, invalidParameter("Invalid parameter: %s endpoint ARN", strings.ToUpper(protocol))
		}
		return true, nil
	case "email", "email-json":
		at := strings.Index(endpoint, "@")
		if at <= 0 || at == len(endpoint)-1 || strings.ContainsAny(endpoint, " \t") {
			return false, invalidParameter("Invalid parameter: Email address")
		}
		return false, nil
	case "http", "https":
		u, perr := url.Parse(endpoint)
		if perr != nil || u.Scheme != protocol || u.Host == "" {
			return false, invalidParameter("Invalid parameter: Endpoint")
		}
		return false, nil
	}
	return false, invalidParameter("Invalid parameter: Amazon SNS does not support this protocol string: %s", protocol)
}

// checkSubscriptionAttribute validates one subscription attribute.
func checkSubscriptionAttribute(protocol, name, v string, attrs map[string]string) error {
	switch name {
	case "FilterPolicy":
		if v == "" {
			return nil
		}
		if _, err := parseFilterPolicy(v, attrs["FilterPolicyScope"]); err != nil {
			return invalidParameter("Invalid parameter: FilterPolicy: %v", err)
		}
	case "FilterPolicyScope":
		if v != "MessageAttributes" && v != "MessageBody" {
			return invalidParameter("Invalid parameter: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", v)
		}
	case "RawMessageDelivery":
		if v != "true" && v != "false" {
			return invalidParameter("Invalid parameter: RawMessageDelivery: Invalid value [%s]. Must be true or false.", v)
		}
		switch protocol {
		case "sqs", "http", "https", "firehose":
		default:
			return invalidParameter("Invalid parameter: Attributes Reason: Delivery protocol [%s] does not support raw message delivery attribute", protocol)
		}
	case "DeliveryPolicy", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy":
	default:
		return invalidParameter("Invalid parameter: Attributes Reason: Unknown attribute %s", name)
	}
	return nil
}

// compile rebuilds the subscription's parsed filter policy.
func (sub *subscription) compile() {
	sub.filter = nil
	if doc := sub.attrs["FilterPolicy"]; doc != "" {
		sub.filter, _ = parseFilterPolicy(doc, sub.attrs["FilterPolicyScope"]) // validated before
	}
}

func (s *Store) subscribe(_ context.Context, r *wire.Request) (any, error) {
	protocol, endpoint := strings.ToLower(r.Form.Get("Protocol")), r.Form.Get("Endpoint")
	if protocol == "" {
		return nil, invalidParameter("Invalid parameter: Protocol")
	}
	confirmed, err := checkEndpoint(protocol, endpoint)
	if err != nil {
		return nil, err
	}
	attrs := wire.FormMap(r.Form, "Attributes.entry", "key", "value")
	for k, v := range attrs {
		if err := checkSubscriptionAttribute(protocol, k, v, attrs); err != nil {
			return nil, err
		}
	}
	returnARN := r.Form.Get("ReturnSubscriptionArn") == "true"

	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicFor(r, "TopicArn", s.liveTopic, "sns:Subscribe")
	if err != nil {
		return nil, err
	}
	for _, arn := range t.subs {
		sub := s.subs[arn]
		if sub.protocol != protocol || sub.endpoint != endpoint {
			continue
		}
		for k, v := range attrs {
			if sub.attrs[k] != v {
				return nil, invalidParameter("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
			}
		}
		return subscribeResult(sub, returnARN), nil
	}
	sub := &subscription{
		arn: t.arn + ":" + wire.NewUUID(), topicARN: t.arn, owner: r.Account, protocol: protocol, endpoint: endpoint,
		confirmed: confirmed, attrs: maps.Clone(attrs), created: s.now(),
	}
	if !confirmed {
		sub.token = randomHex(64)
	}
	sub.compile()
	s.subs[sub.arn] = sub
	t.subs = append(t.subs, sub.arn)
	return subscribeResult(sub, returnARN), nil
}

// subscribeResult is Subscribe's answer, which shows a pending
// subscription's ARN only when asked to.
func subscribeResult(sub *subscription, returnARN bool) subscriptionARNResult {
	if !sub.confirmed && !returnARN {
		return subscriptionARNResult{pendingSubscribe}
	}
	return subscriptionARNResult{sub.arn}
}

// Confirm confirms the pending subscription of topicARN to endpoint, as
// the endpoint would by following the link of the confirmation message,
// and returns its ARN; false when there is none (or it expired).
func (s *Store) Confirm(topicARN, endpoint string) (string, bool) {
	return s.pending(topicARN, endpoint, func(sub *subscription) string {
		sub.confirmed = true
		return sub.arn
	})
}

// ConfirmationToken returns the token a pending subscription of topicARN
// to endpoint waits for, as AWS would send it in the confirmation message;
// tests pass it to ConfirmSubscription.
func (s *Store) ConfirmationToken(topicARN, endpoint string) (string, bool) {
	return s.pending(topicARN, endpoint, func(sub *subscription) string { return sub.token })
}

// pending finds, under the store's lock and after dropping the expired
// ones, the unconfirmed subscription of topicARN to endpoint and returns
// what use makes of it; false when there is none.
func (s *Store) pending(topicARN, endpoint string, use func(*subscription) string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expirePending()
	t := s.topics[topicARN]
	if t == nil {
		return "", false
	}
	for _, arn := range t.subs {
		if sub := s.subs[arn]; sub.endpoint == endpoint && !sub.confirmed {
			return use(sub), true
		}
	}
	return "", false
}

func (s *Store) confirmSubscription(_ context.Context, r *wire.Request) (any, error) {
	token := r.Form.Get("Token")
	if token == "" {
		return nil, invalidParameter("Invalid parameter: Token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.liveTopic(r.Form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	for _, arn := range t.subs {
		if sub := s.subs[arn]; sub.token == token {
			sub.confirmed = true
			return subscriptionARNResult{sub.arn}, nil
		}
	}
	return nil, invalidParameter("Invalid token")
}

// onSubscription is an operation on the subscription its SubscriptionArn
// parameter names, found under the store's lock once expired pending
// subscriptions are gone.
func onSubscription(s *Store, serve func(r *wire.Request, sub *subscription) (any, error)) wire.Handler {
	find := func(r *wire.Request, _ struct{}) (*subscription, error) {
		s.expirePending()
		return s.lookupSubscription(r.Form.Get("SubscriptionArn"))
	}
	return wire.Locked(&s.mu, find, func(r *wire.Request, _ struct{}, sub *subscription) (any, error) { return serve(r, sub) })
}

// lookupSubscription finds a subscription by ARN. The caller holds s.mu.
func (s *Store) lookupSubscription(arn string) (*subscription, error) {
	if arn == "" || arn == pendingSubscribe || arn == pendingList {
		return nil, invalidParameter("Invalid parameter: SubscriptionArn")
	}
	sub := s.subs[arn]
	if sub == nil {
		return nil, notFound("Subscription does not exist")
	}
	return sub, nil
}

func (s *Store) unsubscribe(r *wire.Request, sub *subscription) (any, error) {
	if r.Account != sub.owner && r.Account != s.topics[sub.topicARN].account {
		return nil, authorizationError(r.Principal, "sns:Unsubscribe", sub.arn)
	}
	t := s.topics[sub.topicARN]
	for i, arn := range t.subs {
		if arn == sub.arn {
			t.subs = append(t.subs[:i], t.subs[i+1:]...)
			break
		}
	}
	delete(s.subs, sub.arn)
	delete(s.lastErr, sub.arn)
	return nil, nil
}

func (s *Store) getSubscriptionAttributes(_ *wire.Request, sub *subscription) (any, error) {
	out := maps.Clone(sub.attrs)
	out["SubscriptionArn"] = sub.arn
	out["TopicArn"] = sub.topicARN
	out["Owner"] = sub.owner
	out["Protocol"] = sub.protocol
	out["Endpoint"] = sub.endpoint
	out["PendingConfirmation"] = strconv.FormatBool(!sub.confirmed)
	out["ConfirmationWasAuthenticated"] = strconv.FormatBool(sub.confirmed)
	if _, ok := out["RawMessageDelivery"]; !ok {
		out["RawMessageDelivery"] = "false"
	}
	if out["FilterPolicy"] != "" && out["FilterPolicyScope"] == "" {
		out["FilterPolicyScope"] = "MessageAttributes"
	}
	return attributesResult{toEntries(out)}, nil
}

func (s *Store) setSubscriptionAttributes(r *wire.Request, sub *subscription) (any, error) {
	name, v := r.Form.Get("AttributeName"), r.Form.Get("AttributeValue")
	next := maps.Clone(sub.attrs)
	next[name] = v
	if err := checkSubscriptionAttribute(sub.protocol, name, v, next); err != nil {
		return nil, err
	}
	// A new scope must still fit the current policy (nested keys need the
	// body scope).
	if name == "FilterPolicyScope" && next["FilterPolicy"] != "" {
		if err := checkSubscriptionAttribute(sub.protocol, "FilterPolicy", next["FilterPolicy"], next); err != nil {
			return nil, err
		}
	}
	if v == "" {
		delete(next, name)
	}
	sub.attrs = next
	sub.compile()
	return nil, nil
}

func (s *Store) subscriptionXML(sub *subscription) subscriptionXML {
	arn := sub.arn
	if !sub.confirmed {
		arn = pendingList
	}
	return subscriptionXML{SubscriptionArn: arn, Owner: sub.owner, Protocol: sub.protocol, Endpoint: sub.endpoint, TopicArn: sub.topicARN}
}

func (s *Store) listSubscriptionsByTopic(r *wire.Request, t *topic) (any, error) {
	subs, next, err := pageOf(r, t.subs, func(arn string) subscriptionXML { return s.subscriptionXML(s.subs[arn]) })
	return subscriptionsResult{Subscriptions: subs, NextToken: next}, err
}

func (s *Store) listSubscriptions(_ context.Context, r *wire.Request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expirePending()
	var all []*subscription
	for _, t := range s.topicsOf(r) {
		for _, arn := range t.subs {
			all = append(all, s.subs[arn])
		}
	}
	subs, next, err := pageOf(r, all, s.subscriptionXML)
	return subscriptionsResult{Subscriptions: subs, NextToken: next}, err
}
