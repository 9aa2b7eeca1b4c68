package awssim

import "net/http"

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
