package sqs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/paging"
	"github.com/orgnotify/orgnotify/internal/awssim/tagging"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

type queueURLOutput struct {
	QueueUrl string
}

func (s *Store) createQueue(_ context.Context, r *wire.Request, in createQueueInput) (any, error) {
	if in.QueueName == "" {
		return nil, missingParameter("QueueName")
	}
	fifo := false
	if v, ok := in.Attributes["FifoQueue"]; ok {
		b, err := boolean(v)
		if err != nil {
			return nil, err
		}
		fifo = b == "true"
	}
	if err := checkQueueName(in.QueueName, fifo || strings.HasSuffix(in.QueueName, ".fifo")); err != nil {
		return nil, err
	}
	fifo = strings.HasSuffix(in.QueueName, ".fifo")
	if v, ok := in.Attributes["FifoQueue"]; ok && fifo && strings.EqualFold(v, "false") {
		return nil, invalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	if fifo {
		if in.Attributes == nil {
			in.Attributes = map[string]string{}
		}
		// A name ending in .fifo is only accepted with FifoQueue=true.
		if _, ok := in.Attributes["FifoQueue"]; !ok {
			return nil, invalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
	}
	attrs, err := normalise(in.Attributes, fifo, true)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	sc := scope{r.Account, r.Region}
	if err := s.checkRedriveTarget(sc, "", attrs); err != nil {
		return nil, err
	}
	url := queueURL(r.Host, r.Account, in.QueueName)
	if q := s.queues[sc][in.QueueName]; q != nil {
		if !q.sameAttributes(attrs) {
			return nil, sqsError("QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute(s)")
		}
		return queueURLOutput{url}, nil
	}
	if at, ok := s.deleted[sc][in.QueueName]; ok && r.Now.Before(at.Add(recreateDelay)) {
		return nil, sqsError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently",
			"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	q := newQueue(sc, in.QueueName, fifo, r.Now)
	q.apply(attrs, r.Now)
	maps.Copy(q.tags, in.Tags)
	if s.queues[sc] == nil {
		s.queues[sc] = map[string]*queue{}
	}
	s.queues[sc][in.QueueName] = q
	return queueURLOutput{url}, nil
}

// checkRedriveTarget checks a RedrivePolicy's dead-letter queue exists in
// the same account and region. The caller holds s.mu.
func (s *Store) checkRedriveTarget(sc scope, self string, attrs map[string]string) error {
	doc := attrs["RedrivePolicy"]
	if doc == "" {
		return nil
	}
	p, err := parseRedrivePolicy(doc)
	if err != nil {
		return err
	}
	if s.byARN(p.target) == nil || !strings.HasPrefix(p.target, awsarn.New("sqs", sc.region, sc.account, "")) {
		return invalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", doc)
	}
	if p.target == self {
		// A queue redriving into itself would hand a message back to the
		// receive that moved it, for ever.
		return invalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target cannot be the queue itself.", doc)
	}
	return nil
}

// byARN finds a queue by ARN. The caller holds s.mu.
func (s *Store) byARN(arn string) *queue {
	a, ok := awsarn.Parse(arn)
	if !ok || a.Service != "sqs" {
		return nil
	}
	return s.queues[scope{a.Account, a.Region}][a.Resource]
}

var tagKeyRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func checkTags(tags map[string]string) error {
	switch p, t := (tagging.Rules{Max: 50}).Check(tagging.FromMap(tags)); p {
	case tagging.OK:
	case tagging.TooMany:
		return invalidParameter("Too many tags: a queue can have at most 50.")
	case tagging.Reserved:
		return invalidParameter("Tag keys must not start with aws:.")
	default:
		return invalidParameter("Tag key %q or its value is invalid.", t.Key)
	}
	for k := range tags {
		if !tagKeyRe.MatchString(k) {
			return invalidParameter("Tag key %q or its value is invalid.", k)
		}
	}
	return nil
}

type getQueueURLInput struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

func (s *Store) getQueueURL(_ context.Context, r *wire.Request, in getQueueURLInput) (any, error) {
	if in.QueueName == "" {
		return nil, missingParameter("QueueName")
	}
	owner := r.Account
	if in.QueueOwnerAWSAccountId != "" {
		owner = in.QueueOwnerAWSAccountId
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[scope{owner, r.Region}][in.QueueName]
	if q == nil {
		return nil, noQueue()
	}
	if err := q.authorizeCaller(r, "sqs:GetQueueUrl"); err != nil {
		// AWS does not reveal that another account's queue exists.
		return nil, noQueue()
	}
	return queueURLOutput{queueURL(r.Host, owner, in.QueueName)}, nil
}

type queueRef struct {
	QueueUrl string
}

func (q queueRef) url() string { return q.QueueUrl }

type getQueueAttributesInput struct {
	queueRef
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

func (s *Store) getQueueAttributes(r *wire.Request, in getQueueAttributesInput, q *queue) (any, error) {
	attrs, err := q.attributesOut(in.AttributeNames, r.Now)
	if err != nil {
		return nil, err
	}
	return attributesOutput{attrs}, nil
}

type setQueueAttributesInput struct {
	queueRef
	Attributes map[string]string
}

func (s *Store) setQueueAttributes(r *wire.Request, in setQueueAttributesInput, q *queue) (any, error) {
	attrs, err := normalise(in.Attributes, q.fifo, false)
	if err != nil {
		return nil, err
	}
	if err := s.checkRedriveTarget(scope{q.account, q.region}, q.arn, attrs); err != nil {
		return nil, err
	}
	q.apply(attrs, r.Now)
	return nil, nil
}

type listQueuesInput struct {
	QueueNamePrefix string
	MaxResults      *int32
	NextToken       string
}

type listQueuesOutput struct {
	QueueUrls []string `json:",omitempty"`
	NextToken string   `json:",omitempty"`
}

func (s *Store) listQueues(_ context.Context, r *wire.Request, in listQueuesInput) (any, error) {
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, invalidParameter("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	if in.NextToken != "" && in.MaxResults == nil {
		return nil, invalidParameter("MaxResults is a mandatory parameter when you provide a value for NextToken.")
	}
	s.mu.Lock()
	var names []string
	for name := range s.queues[scope{r.Account, r.Region}] {
		if strings.HasPrefix(name, in.QueueNamePrefix) {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	slices.Sort(names)
	names, next, ok := paging.After(names, in.NextToken, limit)
	if !ok {
		return nil, invalidParameter("Invalid NextToken value.")
	}
	out := listQueuesOutput{}
	if in.MaxResults != nil { // only paginated calls get a token, as in AWS
		out.NextToken = next
	}
	for _, name := range names {
		out.QueueUrls = append(out.QueueUrls, queueURL(r.Host, r.Account, name))
	}
	return out, nil
}

func (s *Store) deleteQueue(r *wire.Request, in queueRef, q *queue) (any, error) {
	sc := scope{q.account, q.region}
	delete(s.queues[sc], q.name)
	if s.deleted[sc] == nil {
		s.deleted[sc] = map[string]time.Time{}
	}
	s.deleted[sc][q.name] = r.Now
	// Wake long polls so they notice the queue is gone.
	q.wake()
	return nil, nil
}

func (s *Store) purgeQueue(r *wire.Request, in queueRef, q *queue) (any, error) {
	if !q.purged.IsZero() && r.Now.Before(q.purged.Add(purgeDelay)) {
		return nil, sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
			"Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.name)
	}
	q.purged = r.Now
	q.purge()
	return nil, nil
}

type tagQueueInput struct {
	queueRef
	Tags map[string]string
}

func (in tagQueueInput) Validate() error {
	if len(in.Tags) == 0 {
		return missingParameter("Tags")
	}
	return checkTags(in.Tags)
}

type untagQueueInput struct {
	queueRef
	TagKeys []string
}

func (in untagQueueInput) Validate() error {
	if len(in.TagKeys) == 0 {
		return missingParameter("TagKeys")
	}
	return nil
}

type tagsOutput struct {
	Tags map[string]string `json:",omitempty"`
}

func (s *Store) tagQueue(_ *wire.Request, in tagQueueInput, q *queue) (any, error) {
	merged := maps.Clone(q.tags)
	maps.Copy(merged, in.Tags)
	if err := checkTags(merged); err != nil {
		return nil, err
	}
	q.tags = merged
	return nil, nil
}

func (s *Store) untagQueue(_ *wire.Request, in untagQueueInput, q *queue) (any, error) {
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	return nil, nil
}

func (s *Store) listQueueTags(r *wire.Request, in queueRef, q *queue) (any, error) {
	return tagsOutput{maps.Clone(q.tags)}, nil
}

// sendInput is one message of SendMessage or SendMessageBatch.
type sendInput struct {
	Id                     string
	MessageBody            *string
	DelaySeconds           *int32
	MessageAttributes      map[string]messageAttribute
	MessageGroupId         string
	MessageDeduplicationId string
}

type sendMessageInput struct {
	queueRef
	sendInput
}

type sendResult struct {
	Id                     string `json:",omitempty"`
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
	SequenceNumber         string `json:",omitempty"`
}

var groupIDRe = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// prepare checks one message against the queue and builds it.
func (q *queue) prepare(in sendInput, senderID string) (*message, time.Duration, error) {
	if in.MessageBody == nil || *in.MessageBody == "" {
		if in.MessageBody == nil {
			return nil, 0, missingParameter("MessageBody")
		}
		return nil, 0, invalidParameter("The request must contain a non-empty MessageBody.")
	}
	body := *in.MessageBody
	if !validContents(body) {
		return nil, 0, sqsError("InvalidMessageContents", "InvalidMessageContents",
			"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	attrSize, err := checkMessageAttributes(in.MessageAttributes)
	if err != nil {
		return nil, 0, err
	}
	if limit := q.intAttr("MaximumMessageSize"); len(body)+attrSize > limit {
		return nil, 0, invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", limit)
	}
	delay := time.Duration(q.intAttr("DelaySeconds")) * time.Second
	if in.DelaySeconds != nil {
		if q.fifo {
			return nil, 0, invalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *in.DelaySeconds)
		}
		if *in.DelaySeconds < 0 || time.Duration(*in.DelaySeconds)*time.Second > maxDelay {
			return nil, 0, invalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *in.DelaySeconds)
		}
		delay = time.Duration(*in.DelaySeconds) * time.Second
	}
	m := &message{id: wire.NewUUID(), body: body, md5Body: md5Hex([]byte(body)), attrs: in.MessageAttributes, senderID: senderID}
	if in.MessageGroupId != "" && !groupIDRe.MatchString(in.MessageGroupId) {
		return nil, 0, invalidParameter("Value %s for parameter MessageGroupId is invalid.", in.MessageGroupId)
	}
	if q.fifo {
		if in.MessageGroupId == "" {
			return nil, 0, missingParameter("MessageGroupId")
		}
		m.groupID, m.dedupID = in.MessageGroupId, in.MessageDeduplicationId
		if m.dedupID == "" {
			if q.attrs["ContentBasedDeduplication"] != "true" {
				return nil, 0, invalidParameter("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			m.dedupID = sha256Hex(body)
		}
	} else if in.MessageDeduplicationId != "" {
		return nil, 0, invalidParameter("The request include parameter MessageDeduplicationId that is not valid for this queue type.")
	}
	return m, delay, nil
}

// validContents reports whether a message body holds only the characters
// SQS accepts (XML's character set).
func validContents(s string) bool {
	for _, r := range s {
		switch {
		case r == 0x9, r == 0xA, r == 0xD:
		case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func result(m *message) sendResult {
	return sendResult{MessageId: m.id, MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: md5OfAttributes(m.attrs), SequenceNumber: m.seq}
}

// senderID is SenderId for an API caller: the account for root
// credentials; for an assumed role, as AWS documents, the role's unique
// ID and the session name, which is STS's AssumedRoleId.
func senderID(r *wire.Request) string {
	if r.UserID != "" {
		return r.UserID
	}
	return r.Account
}

func (s *Store) sendMessage(r *wire.Request, in sendMessageInput, q *queue) (any, error) {
	m, delay, err := q.prepare(in.sendInput, senderID(r))
	if err != nil {
		return nil, err
	}
	return result(q.enqueue(m, delay, r.Now)), nil
}

type sendMessageBatchInput struct {
	queueRef
	Entries []sendInput
}

type batchError struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

type sendBatchOutput struct {
	Successful []sendResult
	Failed     []batchError
}

var batchIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatchIDs applies the rules every batch call shares: 1 to 10
// entries with distinct Ids of up to 80 letters, digits, "-" and "_".
func checkBatchIDs(ids []string) error {
	if len(ids) == 0 {
		return sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request.")
	}
	if len(ids) > maxBatch {
		return sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
			"Maximum number of entries per request are %d. You have sent %d.", maxBatch, len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchIDRe.MatchString(id) {
			return sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
				"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

func (in sendMessageBatchInput) Validate() error {
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += len(deref(e.MessageBody))
	}
	if err := checkBatchIDs(ids); err != nil {
		return err
	}
	if total > maxMessageSizeLimit {
		return sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than %d bytes.", maxMessageSizeLimit)
	}
	return nil
}

func (s *Store) sendMessageBatch(r *wire.Request, in sendMessageBatchInput, q *queue) (any, error) {
	out := sendBatchOutput{Successful: []sendResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		m, delay, err := q.prepare(e, senderID(r))
		if err != nil {
			we := wire.AsError(err)
			out.Failed = append(out.Failed, batchError{Id: e.Id, Code: we.Code, Message: we.Message, SenderFault: true})
			continue
		}
		res := result(q.enqueue(m, delay, r.Now))
		res.Id = e.Id
		out.Successful = append(out.Successful, res)
	}
	return out, nil
}

type receiveMessageInput struct {
	queueRef
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int32
	VisibilityTimeout           *int32
	WaitTimeSeconds             *int32
}

type receivedMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string           `json:",omitempty"`
	MD5OfMessageAttributes string                      `json:",omitempty"`
	MessageAttributes      map[string]messageAttribute `json:",omitempty"`
}

type receiveOutput struct {
	Messages []receivedMessage `json:",omitempty"`
}

func (s *Store) receiveMessage(ctx context.Context, r *wire.Request, in receiveMessageInput) (any, error) {
	limit := 1
	if in.MaxNumberOfMessages != nil {
		if *in.MaxNumberOfMessages < 1 || *in.MaxNumberOfMessages > maxBatch {
			return nil, invalidParameter("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", *in.MaxNumberOfMessages)
		}
		limit = int(*in.MaxNumberOfMessages)
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || time.Duration(*in.VisibilityTimeout)*time.Second > maxVisibility) {
		return nil, invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || time.Duration(*in.WaitTimeSeconds)*time.Second > maxWait) {
		return nil, invalidParameter("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	sysNames := append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...)

	// Long polling waits in real time; the simulated clock advances with it
	// so a fixed test clock still sees a consistent "now".
	start := time.Now()
	var deadline time.Time
	for first := true; ; first = false {
		now := r.Now
		if !first {
			now = r.Now.Add(time.Since(start))
		}
		s.mu.Lock()
		q, err := s.find(r, in.QueueUrl, "sqs:ReceiveMessage")
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if first {
			wait := time.Duration(q.intAttr("ReceiveMessageWaitTimeSeconds")) * time.Second
			if in.WaitTimeSeconds != nil {
				wait = time.Duration(*in.WaitTimeSeconds) * time.Second
			}
			deadline = start.Add(wait)
		}
		out := s.receive(q, in, limit, sysNames, now)
		arrived := q.arrived
		s.mu.Unlock()
		if len(out.Messages) > 0 || !time.Now().Before(deadline) {
			return out, nil
		}
		// Wake on a new message, the deadline, or a poll tick that notices
		// messages becoming visible again.
		tick := time.NewTimer(min(time.Until(deadline), 100*time.Millisecond))
		select {
		case <-arrived:
		case <-tick.C:
		case <-ctx.Done():
			tick.Stop()
			return receiveOutput{}, nil
		}
		tick.Stop()
	}
}

// receive hands out up to limit messages. The caller holds s.mu.
func (s *Store) receive(q *queue, in receiveMessageInput, limit int, sysNames []string, now time.Time) receiveOutput {
	visibility := time.Duration(q.intAttr("VisibilityTimeout")) * time.Second
	if in.VisibilityTimeout != nil {
		visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	out := receiveOutput{}
	q.expire(now)
	q.promote(now)
	// A message moved to the dead-letter queue leaves room for another, so
	// look again until nothing more was moved; a message is handed out at
	// most once per call even with a zero visibility timeout.
	handed := map[*message]bool{}
	for len(out.Messages) < limit {
		batch := q.receivable(limit-len(out.Messages), now, handed)
		if len(batch) == 0 {
			break
		}
		for _, m := range batch {
			if s.redrive(q, m, now) {
				continue
			}
			handed[m] = true
			m.receives++
			if m.firstReceive.IsZero() {
				m.firstReceive = now
			}
			m.handle = newReceiptHandle(m.id)
			q.hide(m, now.Add(visibility), now)
			rm := receivedMessage{MessageId: m.id, ReceiptHandle: m.handle, MD5OfBody: m.md5Body, Body: m.body}
			if len(sysNames) > 0 {
				rm.Attributes = q.systemAttributes(m, sysNames)
			}
			if attrs := selectAttributes(m.attrs, in.MessageAttributeNames); len(attrs) > 0 {
				rm.MessageAttributes = attrs
				rm.MD5OfMessageAttributes = md5OfAttributes(attrs)
			}
			out.Messages = append(out.Messages, rm)
		}
	}
	return out
}

// redrive moves m to the dead-letter queue when it has been received
// maxReceiveCount times already, and reports whether it did. The caller
// holds s.mu.
func (s *Store) redrive(q *queue, m *message, now time.Time) bool {
	if q.deadLetter == nil || m.receives < q.deadLetter.maxReceives {
		return false
	}
	dlq := s.byARN(q.deadLetter.target)
	if dlq == nil {
		return false
	}
	q.remove(m)
	// The message keeps its ID, body, attributes and sent time.
	moved := *m
	moved.handle = ""
	moved.visibleAt = now
	dlq.add(&moved, now)
	dlq.wake()
	return true
}

type deleteMessageInput struct {
	queueRef
	ReceiptHandle string
}

func receiptInvalid(h string) *wire.Error {
	return sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", h)
}

// deleteByHandle deletes the message a receipt handle names. A handle of a
// message already deleted succeeds, as in AWS.
func (q *queue) deleteByHandle(h string) error {
	if h == "" {
		return missingParameter("ReceiptHandle")
	}
	m, ok := q.byHandle(h)
	if !ok {
		return receiptInvalid(h)
	}
	if m != nil {
		q.remove(m)
	}
	return nil
}

func (s *Store) deleteMessage(r *wire.Request, in deleteMessageInput, q *queue) (any, error) {
	return nil, q.deleteByHandle(in.ReceiptHandle)
}

type deleteBatchInput struct {
	queueRef
	Entries []struct {
		Id            string
		ReceiptHandle string
	}
}

type batchOK struct {
	Id string
}

type deleteBatchOutput struct {
	Successful []batchOK
	Failed     []batchError
}

func (in deleteBatchInput) Validate() error {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	return checkBatchIDs(ids)
}

func (s *Store) deleteMessageBatch(r *wire.Request, in deleteBatchInput, q *queue) (any, error) {
	out := deleteBatchOutput{Successful: []batchOK{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := q.deleteByHandle(e.ReceiptHandle); err != nil {
			we := wire.AsError(err)
			out.Failed = append(out.Failed, batchError{Id: e.Id, Code: we.Code, Message: we.Message, SenderFault: true})
			continue
		}
		out.Successful = append(out.Successful, batchOK{e.Id})
	}
	return out, nil
}

type changeVisibilityInput struct {
	queueRef
	ReceiptHandle     string
	VisibilityTimeout *int32
}

func (in changeVisibilityInput) Validate() error {
	if in.VisibilityTimeout == nil {
		return missingParameter("VisibilityTimeout")
	}
	if *in.VisibilityTimeout < 0 || time.Duration(*in.VisibilityTimeout)*time.Second > maxVisibility {
		return invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", *in.VisibilityTimeout)
	}
	if in.ReceiptHandle == "" {
		return missingParameter("ReceiptHandle")
	}
	return nil
}

func (s *Store) changeMessageVisibility(r *wire.Request, in changeVisibilityInput, q *queue) (any, error) {
	m, ok := q.byHandle(in.ReceiptHandle)
	if !ok {
		return nil, receiptInvalid(in.ReceiptHandle)
	}
	if m == nil || m.handle != in.ReceiptHandle || !r.Now.Before(m.visibleAt) {
		return nil, sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
			"Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", in.ReceiptHandle)
	}
	q.hide(m, r.Now.Add(time.Duration(*in.VisibilityTimeout)*time.Second), r.Now)
	return nil, nil
}
