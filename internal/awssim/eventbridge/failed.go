package eventbridge

import (
	"context"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// maxFailedInvocations bounds the record of failed invocations; the
// oldest go first.
const maxFailedInvocations = 10000

// FailedInvocation is one event a rule matched but could not deliver to a
// target. AWS shows these only as the FailedInvocations metric (and, with a
// dead-letter queue, as a message there); the simulator keeps each one so
// a test can see an event that went nowhere.
type FailedInvocation struct {
	Time      time.Time `json:"time"`
	RuleARN   string    `json:"ruleArn"`
	TargetID  string    `json:"targetId"`
	TargetARN string    `json:"targetArn"`
	EventID   string    `json:"eventId"`
	// ErrorCode is EventBridge's failure class, as a dead-letter message's
	// ERROR_CODE attribute carries it: NO_PERMISSIONS,
	// RESOURCE_NOT_FOUND or SDK_CLIENT_ERROR.
	ErrorCode string `json:"errorCode"`
	// ErrorMessage starts with the error code of the refusing service.
	ErrorMessage string `json:"errorMessage"`
	// DeadLetter is what happened to the event: "none" (no dead-letter
	// queue: dropped), "sent" (in the target's dead-letter queue) or
	// "failed: <reason>" (the queue refused it: dropped).
	DeadLetter string `json:"deadLetter"`
}

// errorClass maps a delivery error to the ERROR_CODE vocabulary of
// EventBridge's dead-letter messages.
func errorClass(err error) (code, message string) {
	e := wire.AsError(err)
	msg := e.Message
	if e.Code != "InternalFailure" {
		msg = e.Code + ": " + e.Message
	}
	c := strings.ToLower(e.Code)
	switch {
	case strings.Contains(c, "accessdenied") || strings.Contains(c, "authorization") || strings.HasPrefix(c, "kms"):
		return "NO_PERMISSIONS", msg
	case strings.Contains(c, "notfound") || strings.Contains(c, "doesnotexist") || strings.Contains(c, "nonexistent"):
		return "RESOURCE_NOT_FOUND", msg
	}
	return "SDK_CLIENT_ERROR", msg
}

// failed counts and records a failed invocation.
func (s *Store) failed(ctx context.Context, c invocation, env envelope, body []byte, err error) {
	code, msg := errorClass(err)
	f := FailedInvocation{Time: time.Now().UTC(), RuleARN: c.ruleARN, TargetID: c.target.ID, TargetARN: c.target.Arn,
		EventID: env.ID, ErrorCode: code, ErrorMessage: msg, DeadLetter: "none"}
	f.DeadLetter = s.deadLetter(ctx, c, body, f)
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metric(c.ruleARN)
	m.Failed++
	m.LastError = err.Error()
	switch {
	case f.DeadLetter == "sent":
		m.SentToDLQ++
	case f.DeadLetter != "none":
		m.FailedToDLQ++
	}
	if len(s.failures) >= maxFailedInvocations {
		s.failures = append(s.failures[:0:0], s.failures[1:]...)
	}
	s.failures = append(s.failures, f)
}

// deadLetter sends a failed event to the target's dead-letter queue, if
// it has one, as AWS does: as events.amazonaws.com for the rule, so the
// queue policy must allow sqs:SendMessage with aws:SourceArn the rule, and
// with the attributes AWS documents for dead-letter messages. The body is
// the event. The simulator does not retry: every failure it produces
// (permissions, a missing resource) is one AWS does not retry either.
func (s *Store) deadLetter(ctx context.Context, c invocation, body []byte, f FailedInvocation) string {
	if c.target.DeadLetterConfig == nil {
		return "none"
	}
	if s.targets.SQS == nil {
		return "failed: SQS is not simulated"
	}
	err := s.targets.SQS.Deliver(ctx, handoff.Delivery{
		TargetARN:     c.target.DeadLetterConfig.Arn,
		Body:          string(body),
		FromService:   servicePrincipal,
		SourceARN:     c.ruleARN,
		SourceAccount: c.owner,
		Attributes: map[string]string{
			"RULE_ARN":                  c.ruleARN,
			"TARGET_ARN":                c.target.Arn,
			"ERROR_CODE":                f.ErrorCode,
			"ERROR_MESSAGE":             f.ErrorMessage,
			"EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
			"RETRY_ATTEMPTS":            "0",
		},
	})
	if err != nil {
		return "failed: " + err.Error()
	}
	return "sent"
}

// FailedInvocations returns the failed invocations recorded so far, oldest
// first.
func (s *Store) FailedInvocations() []FailedInvocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FailedInvocation{}, s.failures...)
}

// ResetFailedInvocations forgets the recorded failed invocations.
func (s *Store) ResetFailedInvocations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}
