package awssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
