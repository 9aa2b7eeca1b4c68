package awssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// failedInvocations answers GET /_awssim/failed-invocations with the
// EventBridge deliveries that failed, oldest first, and DELETE by
// forgetting them.
func (s *Sim) failedInvocations(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.EventBridge.FailedInvocations())
	case http.MethodDelete:
		s.EventBridge.ResetFailedInvocations()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// snsConfirm answers POST /_awssim/sns/confirm with
// {"topicArn": "...", "endpoint": "..."}: it confirms that pending
// subscription, as the endpoint's owner would, and answers
// {"subscriptionArn": "..."}; 404 when no such subscription is pending.
func (s *Sim) snsConfirm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	var in struct {
		TopicArn string `json:"topicArn"`
		Endpoint string `json:"endpoint"`
	}
	if err := decodeStrict(w, r, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if in.TopicArn == "" || in.Endpoint == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "topicArn and endpoint are required"})
		return
	}
	arn, ok := s.SNS.Confirm(in.TopicArn, in.Endpoint)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no pending subscription of " + in.TopicArn + " to " + in.Endpoint})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"subscriptionArn": arn})
}

// decodeStrict reads one JSON object from the request body: unknown
// fields, trailing data and a second object are errors.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("request body: trailing data after the JSON object")
	}
	return nil
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$`)

// serviceEvent answers POST /_awssim/events with
// {"account","region","source","detail-type","detail"[,"resources"]}: it
// publishes that AWS service event on the account's default bus, as
// PutServiceEvent does, and answers {"id": "..."}. Bad input is a 400
// naming the field; an "AWS API Call via CloudTrail" event where no trail
// is logging is a 409, since AWS would not deliver it.
func (s *Sim) serviceEvent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	var in struct {
		Account    string          `json:"account"`
		Region     string          `json:"region"`
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
		Resources  []string        `json:"resources"`
	}
	bad := func(msg string) { writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg}) }
	if err := decodeStrict(w, r, &in); err != nil {
		bad(err.Error())
		return
	}
	var detail map[string]json.RawMessage
	switch {
	case !wire.IsAccountID(in.Account):
		bad(fmt.Sprintf("account: %q is not a 12-digit account ID", in.Account))
		return
	case !regionRE.MatchString(in.Region):
		bad(fmt.Sprintf("region: %q is not a region name such as us-east-1", in.Region))
		return
	case in.Source == "":
		bad("source: required, such as aws.organizations")
		return
	case in.DetailType == "":
		bad("detail-type: required, such as AWS Service Event via CloudTrail")
		return
	case json.Unmarshal(in.Detail, &detail) != nil || detail == nil:
		bad("detail: required, a JSON object")
		return
	}
	id, err := s.EventBridge.PutServiceEvent(r.Context(), in.Account, in.Region, eventbridge.ServiceEvent{
		Source: in.Source, DetailType: in.DetailType, Detail: in.Detail, Resources: in.Resources})
	switch {
	case errors.Is(err, eventbridge.ErrNoTrail):
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
	case err != nil:
		bad(err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
	}
}
