package awssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
)

// serveAdmin answers the simulator's own endpoints:
//
//	GET  /_awssim/health    200 when serving
//	GET  /_awssim/faults    the fault configuration; POST replaces it
//	GET  /_awssim/counters  calls per "service:Operation"; DELETE resets them
//
// and those added with HandleAdmin.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[len("/_awssim/"):]
	switch name {
	case "health":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "faults":
		set := func() { s.setFaults(w, r) }
		byMethod(w, r, map[string]func(){
			http.MethodGet:  func() { writeJSON(w, http.StatusOK, s.faults.Config()) },
			http.MethodPost: set, http.MethodPut: set,
		})
	case "counters":
		byMethod(w, r, map[string]func(){
			http.MethodGet:    func() { writeJSON(w, http.StatusOK, s.faults.Counts()) },
			http.MethodDelete: func() { s.faults.ResetCounts(); w.WriteHeader(http.StatusNoContent) },
		})
	default:
		s.mu.RLock()
		h := s.adminHooks[name]
		s.mu.RUnlock()
		if h == nil {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "unknown admin endpoint", "endpoints": s.adminNames()})
			return
		}
		h(w, r)
	}
}

// setFaults replaces the fault configuration, checked as -faults is.
func (s *Server) setFaults(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	cfg, err := s.ParseFaults(b)
	if err != nil {
		badRequest(w, "faults: "+err.Error())
		return
	}
	s.faults.Set(cfg)
	writeJSON(w, http.StatusOK, cfg)
}

func (s *Server) adminNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := append([]string{"counters", "faults", "health"}, slices.Collect(maps.Keys(s.adminHooks))...)
	slices.Sort(names)
	return names
}

// byMethod runs the handler of r's method; any other method is a 405.
func byMethod(w http.ResponseWriter, r *http.Request, handlers map[string]func()) {
	h, ok := handlers[r.Method]
	if !ok {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	h()
}

// postJSON is an admin endpoint that takes one JSON object by POST,
// decoded strictly: anything else is a 405 or a 400 naming the problem.
func postJSON[In any](serve func(w http.ResponseWriter, r *http.Request, in In)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		var in In
		if err := decodeStrict(w, r, &in); err != nil {
			badRequest(w, err.Error())
			return
		}
		serve(w, r, in)
	}
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func badRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
}

// failedInvocations answers GET /_awssim/failed-invocations with the
// EventBridge deliveries that failed, oldest first, and DELETE by
// forgetting them.
func (s *Sim) failedInvocations(w http.ResponseWriter, r *http.Request) {
	byMethod(w, r, map[string]func(){
		http.MethodGet:    func() { writeJSON(w, http.StatusOK, s.EventBridge.FailedInvocations()) },
		http.MethodDelete: func() { s.EventBridge.ResetFailedInvocations(); w.WriteHeader(http.StatusNoContent) },
	})
}

type snsConfirmInput struct {
	TopicArn string `json:"topicArn"`
	Endpoint string `json:"endpoint"`
}

// snsConfirm answers POST /_awssim/sns/confirm with
// {"topicArn": "...", "endpoint": "..."}: it confirms that pending
// subscription, as the endpoint's owner would, and answers
// {"subscriptionArn": "..."}; 404 when no such subscription is pending.
func (s *Sim) snsConfirm(w http.ResponseWriter, _ *http.Request, in snsConfirmInput) {
	if in.TopicArn == "" || in.Endpoint == "" {
		badRequest(w, "topicArn and endpoint are required")
		return
	}
	arn, ok := s.SNS.Confirm(in.TopicArn, in.Endpoint)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no pending subscription of " + in.TopicArn + " to " + in.Endpoint})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"subscriptionArn": arn})
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$`)

type serviceEventInput struct {
	Account    string          `json:"account"`
	Region     string          `json:"region"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	Resources  []string        `json:"resources"`
}

// serviceEvent answers POST /_awssim/events with
// {"account","region","source","detail-type","detail"[,"resources"]}: it
// publishes that AWS service event on the account's default bus, as
// PutServiceEvent does, and answers {"id": "..."}. Bad input is a 400
// naming the field; an "AWS API Call via CloudTrail" event where no trail
// is logging is a 409, since AWS would not deliver it.
func (s *Sim) serviceEvent(w http.ResponseWriter, r *http.Request, in serviceEventInput) {
	bad := func(msg string) { badRequest(w, msg) }
	var detail map[string]json.RawMessage
	switch {
	case !awsarn.IsAccountID(in.Account):
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
