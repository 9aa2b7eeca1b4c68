// Package awssim is a protocol-level simulator of the AWS APIs orgnotify
// calls. It serves every simulated service on one HTTP listener, resolves the
// caller's account from the SigV4 access key, injects faults and counts calls.
// The services themselves live in sub-packages; this package routes to them.
package awssim

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// maxBody bounds a request body; AWS's own limits are far lower (SQS 256 KiB,
// PutEvents 256 KiB), so anything larger is a client bug.
const maxBody = 4 << 20

// Timeouts of the HTTP server around a Server (cmd/awssim, awssimtest). A
// whole request, body included, must arrive within ReadTimeout, so a client
// that stops sending cannot hold a connection; handlers are not bound by it
// (an SQS long poll waits up to 20 s after reading its body). IdleTimeout
// is above the SDK's 90-second idle-connection timeout, so the client closes
// a keep-alive connection first and never sends on one the server is closing.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	IdleTimeout       = 2 * time.Minute
)

// Identities maps an access key to the account and principal it acts as.
type Identities interface {
	Resolve(accessKey, sessionToken string) (account, principal string, err error)
}

// userIDs is implemented by Identities that know a session's unique ID
// (org.Store); the SenderId of an SQS message shows it.
type userIDs interface {
	UserID(accessKey string) string
}

// Server routes AWS API calls to the registered services.
type Server struct {
	ids    Identities
	log    *slog.Logger
	now    func() time.Time
	faults *Faults

	mu         sync.RWMutex
	bySigning  map[string]*wire.Service
	byTarget   map[string]*wire.Service
	adminHooks map[string]http.HandlerFunc
}

// NewServer returns a router with no services registered.
func NewServer(ids Identities, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Server{
		ids:        ids,
		log:        log,
		now:        time.Now,
		faults:     NewFaults(),
		bySigning:  map[string]*wire.Service{},
		byTarget:   map[string]*wire.Service{},
		adminHooks: map[string]http.HandlerFunc{},
	}
}

// Register adds a service.
func (s *Server) Register(svc wire.Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bySigning[svc.SigningName] = &svc
	if svc.TargetPrefix != "" {
		s.byTarget[svc.TargetPrefix] = &svc
	}
	for _, alias := range svc.TargetAliases {
		s.byTarget[alias] = &svc
	}
}

// SetClock replaces the clock that stamps Request.Now, so tests can move
// time forward (message visibility, credential expiry).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Faults returns the fault injector and call counters.
func (s *Server) Faults() *Faults { return s.faults }

// HandleAdmin adds an extra admin route under /_awssim/.
func (s *Server) HandleAdmin(name string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adminHooks[name] = h
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_awssim/") {
		s.serveAdmin(w, r)
		return
	}
	req, svc, werr := s.decode(r)
	if werr != nil {
		writeError(w, svc, req, werr)
		return
	}
	handler, ok := svc.Ops[req.Operation]
	if !ok {
		writeError(w, svc, req, wire.Errorf("UnknownOperationException", http.StatusBadRequest,
			"operation %s is not supported by this simulator", req.Operation))
		return
	}
	s.faults.count(svc.SigningName, req.Operation)
	if err := s.faults.apply(r.Context(), svc, req); err != nil {
		writeError(w, svc, req, err)
		return
	}
	out, err := handler(r.Context(), req)
	if err != nil {
		e := wire.AsError(err)
		s.log.Debug("call failed", "service", svc.SigningName, "op", req.Operation, "account", req.Account, "code", e.Code)
		writeError(w, svc, req, e)
		return
	}
	s.log.Debug("call", "service", svc.SigningName, "op", req.Operation, "account", req.Account, "region", req.Region)
	writeResult(w, svc, req, out)
}

// decode identifies the service and operation and resolves the caller.
func (s *Server) decode(r *http.Request) (*wire.Request, *wire.Service, *wire.Error) {
	s.mu.RLock()
	now := s.now()
	s.mu.RUnlock()
	req := &wire.Request{RequestID: wire.NewUUID(), Header: r.Header, Host: r.Host, Now: now}
	scope, werr := parseAuthorization(r.Header.Get("Authorization"))
	if werr != nil {
		return req, nil, werr
	}
	req.AccessKey, req.Region, req.Service = scope.accessKey, scope.region, scope.service

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return req, nil, wire.Errorf("SerializationException", http.StatusBadRequest, "read body: %v", err)
	}
	if len(body) > maxBody {
		return req, nil, wire.Errorf("RequestEntityTooLarge", http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", maxBody)
	}

	s.mu.RLock()
	var svc *wire.Service
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		// The operation follows the last dot: a prefix may hold dots (CloudTrail).
		if i := strings.LastIndex(target, "."); i >= 0 {
			svc = s.byTarget[target[:i]]
			req.Operation = target[i+1:]
		}
	} else {
		svc = s.bySigning[scope.service]
	}
	s.mu.RUnlock()
	if svc == nil {
		return req, nil, wire.Errorf("UnrecognizedClientException", http.StatusBadRequest,
			"no simulated service for signing name %q target %q", scope.service, r.Header.Get("X-Amz-Target"))
	}

	if svc.Protocol == wire.Query {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return req, svc, wire.Errorf("MalformedQueryString", http.StatusBadRequest, "%v", err)
		}
		req.Form = form
		req.Operation = form.Get("Action")
		if req.Operation == "" {
			return req, svc, wire.Errorf("MissingAction", http.StatusBadRequest, "no Action in request")
		}
	} else {
		req.Body = body
		if req.Operation == "" && isForm(r.Header) {
			// An awsQuery client of a JSON service (SQS's older protocol).
			form, _ := url.ParseQuery(string(body))
			return req, svc, invalidAction(svc, form.Get("Action"))
		}
	}

	acct, principal, err := s.ids.Resolve(req.AccessKey, r.Header.Get("X-Amz-Security-Token"))
	if err != nil {
		return req, svc, tokenError(svc.Protocol, wire.AsError(err))
	}
	req.Account, req.Principal = acct, principal
	if u, ok := s.ids.(userIDs); ok {
		req.UserID = u.UserID(req.AccessKey)
	}
	return req, svc, nil
}

func isForm(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// invalidAction names the action a Query request asked a JSON-only service
// for, known to the service or not.
func invalidAction(svc *wire.Service, action string) *wire.Error {
	if action == "" {
		return wire.Errorf("MissingAction", http.StatusBadRequest, "no Action in request")
	}
	if _, ok := svc.Ops[action]; ok {
		return wire.Errorf("InvalidAction", http.StatusBadRequest,
			"The action %s is not valid for this endpoint: the simulator serves %s over its JSON protocol only (X-Amz-Target %s.%s).",
			action, svc.SigningName, svc.TargetPrefix, action)
	}
	return wire.Errorf("InvalidAction", http.StatusBadRequest, "The action %s is not valid for this endpoint.", action)
}

// tokenError gives a credentials error the code the service's protocol
// uses: STS answers InvalidClientTokenId (403) and ExpiredToken, JSON
// services UnrecognizedClientException and ExpiredTokenException (400).
func tokenError(p wire.Protocol, e *wire.Error) *wire.Error {
	if code, ok := jsonTokenCodes[e.Code]; ok && p != wire.Query {
		return &wire.Error{Code: code, Status: http.StatusBadRequest, Message: e.Message}
	}
	return e
}

var jsonTokenCodes = map[string]string{
	wire.CodeInvalidToken: "UnrecognizedClientException",
	wire.CodeExpiredToken: "ExpiredTokenException",
}

type credentialScope struct{ accessKey, region, service string }

// parseAuthorization reads the SigV4 credential scope:
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=..., Signature=...".
func parseAuthorization(h string) (credentialScope, *wire.Error) {
	missing := wire.Errorf("MissingAuthenticationTokenException", http.StatusForbidden, "Missing Authentication Token")
	if h == "" {
		return credentialScope{}, missing
	}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != "AWS4-HMAC-SHA256" {
		return credentialScope{}, wire.Errorf("IncompleteSignatureException", http.StatusForbidden, "unsupported authorization scheme %q", alg)
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		if k != "Credential" {
			continue
		}
		f := strings.Split(v, "/")
		if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" {
			return credentialScope{}, wire.Errorf("IncompleteSignatureException", http.StatusForbidden, "malformed credential scope %q", v)
		}
		if f[2] == "" {
			return credentialScope{}, wire.Errorf("IncompleteSignatureException", http.StatusForbidden, "Credential should be scoped to a valid region, not ''.")
		}
		return credentialScope{accessKey: f[0], region: f[2], service: f[3]}, nil
	}
	return credentialScope{}, wire.Errorf("IncompleteSignatureException", http.StatusForbidden, "authorization header has no Credential")
}

func contentType(p wire.Protocol) string {
	switch p {
	case wire.JSON10:
		return "application/x-amz-json-1.0"
	case wire.JSON11:
		return "application/x-amz-json-1.1"
	default:
		return "text/xml"
	}
}

func writeResult(w http.ResponseWriter, svc *wire.Service, req *wire.Request, out any) {
	w.Header().Set("X-Amzn-RequestId", req.RequestID)
	w.Header().Set("Content-Type", contentType(svc.Protocol))
	if svc.Protocol != wire.Query {
		if out == nil {
			out = struct{}{}
		}
		b, err := json.Marshal(out)
		if err != nil {
			writeError(w, svc, req, wire.AsError(err))
			return
		}
		_, _ = w.Write(b)
		return
	}
	var sb strings.Builder
	sb.WriteString(xml.Header)
	sb.WriteString("<" + req.Operation + "Response xmlns=\"" + svc.XMLNamespace + "\">")
	if out != nil {
		b, err := xml.Marshal(xmlResult{name: req.Operation + "Result", v: out})
		if err != nil {
			writeError(w, svc, req, wire.AsError(err))
			return
		}
		sb.Write(b)
	}
	sb.WriteString("<ResponseMetadata><RequestId>" + req.RequestID + "</RequestId></ResponseMetadata>")
	sb.WriteString("</" + req.Operation + "Response>")
	_, _ = io.WriteString(w, sb.String())
}

// xmlResult encodes v under the element <OperationResult>.
type xmlResult struct {
	name string
	v    any
}

func (x xmlResult) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(x.v, xml.StartElement{Name: xml.Name{Local: x.name}})
}

func writeError(w http.ResponseWriter, svc *wire.Service, req *wire.Request, e *wire.Error) {
	status := cmp.Or(e.Status, http.StatusBadRequest)
	id := ""
	if req != nil {
		id = req.RequestID
		w.Header().Set("X-Amzn-RequestId", id)
	}
	// A form body tells an awsQuery client, which can only read the XML
	// error shape, even of a service that speaks JSON.
	query := svc != nil && svc.Protocol == wire.Query || req != nil && isForm(req.Header)
	if !query {
		proto := wire.JSON11
		if svc != nil {
			proto = svc.Protocol
		}
		w.Header().Set("Content-Type", contentType(proto))
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		if e.QueryCode != "" {
			w.Header().Set("x-amzn-query-error", e.QueryCode)
		}
		w.WriteHeader(status)
		body := map[string]any{"__type": e.Code, "message": e.Message}
		for k, v := range e.Fields {
			body[k] = v
		}
		b, _ := json.Marshal(body)
		_, _ = w.Write(b)
		return
	}
	kind := "Sender"
	if status >= 500 {
		kind = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	var msg strings.Builder
	_ = xml.EscapeText(&msg, []byte(e.Message))
	_, _ = io.WriteString(w, xml.Header+"<ErrorResponse><Error><Type>"+kind+"</Type><Code>"+e.Code+
		"</Code><Message>"+msg.String()+"</Message></Error><RequestId>"+id+"</RequestId></ErrorResponse>")
}
