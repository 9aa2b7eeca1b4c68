package sns

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/paging"
	"github.com/orgnotify/orgnotify/internal/awssim/tagging"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// XML shapes of the results.

type entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type attributeMap struct {
	Entries []entry `xml:"entry"`
}

func toEntries(m map[string]string) attributeMap {
	keys := slices.Sorted(maps.Keys(m))
	out := attributeMap{Entries: make([]entry, 0, len(keys))}
	for _, k := range keys {
		out.Entries = append(out.Entries, entry{k, m[k]})
	}
	return out
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type topicARNResult struct {
	TopicArn string `xml:"TopicArn"`
}

type attributesResult struct {
	Attributes attributeMap `xml:"Attributes"`
}

type topicsResult struct {
	Topics    []topicARNResult `xml:"Topics>member"`
	NextToken string           `xml:"NextToken,omitempty"`
}

type subscriptionXML struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type subscriptionsResult struct {
	Subscriptions []subscriptionXML `xml:"Subscriptions>member"`
	NextToken     string            `xml:"NextToken,omitempty"`
}

type subscriptionARNResult struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

type tagsResult struct {
	Tags []tagXML `xml:"Tags>member"`
}

// Topic attributes a caller may set, when, and to what when only some
// values are valid (oneOf).
var topicAttributes = map[string]struct {
	fifoOnly, createOnly bool
	oneOf                []string
}{
	"Policy": {}, "DisplayName": {}, "KmsMasterKeyId": {}, "DeliveryPolicy": {}, "DataProtectionPolicy": {},
	"TracingConfig":             {oneOf: []string{"PassThrough", "Active"}},
	"SignatureVersion":          {oneOf: []string{"1", "2"}},
	"FifoTopic":                 {fifoOnly: true, createOnly: true, oneOf: []string{"true", "false"}},
	"ContentBasedDeduplication": {fifoOnly: true, oneOf: []string{"true", "false"}},
	"ArchivePolicy":             {fifoOnly: true},
	"FifoThroughputScope":       {fifoOnly: true},
}

// checkTopicAttribute validates one settable attribute.
func checkTopicAttribute(name, v string, fifo, creating bool) error {
	a, ok := topicAttributes[name]
	if !ok || (a.fifoOnly && !fifo) || (a.createOnly && !creating) {
		return invalidParameter("Invalid parameter: AttributeName")
	}
	if a.oneOf != nil && !slices.Contains(a.oneOf, v) {
		return invalidParameter("Invalid parameter: %s Reason: must be %s", name, strings.Join(a.oneOf, " or "))
	}
	switch name {
	case "Policy":
		if err := iampolicy.Validate(v); err != nil {
			return invalidParameter("Invalid parameter: Policy Error: %v", err)
		}
	case "DisplayName":
		if len(v) > 100 {
			return invalidParameter("Invalid parameter: DisplayName Reason: must be at most 100 characters")
		}
	case "DeliveryPolicy", "ArchivePolicy", "DataProtectionPolicy":
		if v != "" && !json.Valid([]byte(v)) {
			return invalidParameter("Invalid parameter: %s Reason: not valid JSON", name)
		}
	}
	return nil
}

func (t *topic) set(name, v string) {
	if v == "" && name != "DisplayName" {
		delete(t.attrs, name)
	} else {
		t.attrs[name] = v
	}
	if name == "Policy" {
		t.setPolicy(v)
	}
}

// setPolicy parses the policy in force once, when it changes, rather than
// on every authorization: doc, validated by checkTopicAttribute, or AWS's
// default policy when doc is empty.
func (t *topic) setPolicy(doc string) {
	p, err := iampolicy.Parse(cmp.Or(doc, defaultPolicy(t.arn, t.account)))
	if err != nil {
		panic("sns: topic policy does not parse: " + err.Error())
	}
	t.policy = p
}

// defaultPolicy is the policy AWS gives a new topic: its own account may
// do everything with it.
func defaultPolicy(arn, account string) string {
	b, _ := json.Marshal(map[string]any{
		"Version": "2008-10-17",
		"Id":      "__default_policy_ID",
		"Statement": []any{map[string]any{
			"Sid":       "__default_statement_ID",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action": []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
				"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			"Resource":  arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": account}},
		}},
	})
	return string(b)
}

func readTags(r *wire.Request, prefix string) (map[string]string, error) {
	var list []tagging.Tag
	tags := map[string]string{}
	for _, e := range wire.FormList(r.Form, prefix) {
		list = append(list, tagging.Tag{Key: e["Key"], Value: e["Value"]})
		tags[e["Key"]] = e["Value"]
	}
	switch p, t := (tagging.Rules{Max: maxTags}).Check(list); p {
	case tagging.OK:
		return tags, nil
	case tagging.TooMany:
		return nil, wire.Errorf("TagLimitExceeded", 400, "Could not complete request: tag quota of per resource exceeded")
	default:
		return nil, invalidParameter("Invalid parameter: Tags Reason: invalid tag key %q", t.Key)
	}
}

func (s *Store) createTopic(_ context.Context, r *wire.Request) (any, error) {
	name := r.Form.Get("Name")
	attrs := wire.FormMap(r.Form, "Attributes.entry", "key", "value")
	fifo := attrs["FifoTopic"] == "true"
	base, fifoName := strings.CutSuffix(name, ".fifo")
	if !topicNameRe.MatchString(base) || len(name) > 256 || fifo != fifoName {
		return nil, invalidParameter("Invalid parameter: Topic Name")
	}
	for k, v := range attrs {
		if err := checkTopicAttribute(k, v, fifo, true); err != nil {
			return nil, err
		}
	}
	if dpp := r.Form.Get("DataProtectionPolicy"); dpp != "" {
		attrs["DataProtectionPolicy"] = dpp
	}
	tags, err := readTags(r, "Tags.member")
	if err != nil {
		return nil, err
	}
	arn := awsarn.New("sns", r.Region, r.Account, name)

	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.topics[arn]; t != nil {
		for k, v := range attrs {
			if t.attrs[k] != v {
				return nil, invalidParameter("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
			}
		}
		for k, v := range tags {
			if got, ok := t.tags[k]; !ok || got != v {
				return nil, invalidParameter("Invalid parameter: Tags Reason: Topic already exists with different tags")
			}
		}
		return topicARNResult{arn}, nil
	}
	t := &topic{arn: arn, name: name, account: r.Account, region: r.Region, fifo: fifo, attrs: map[string]string{}, tags: tags}
	t.setPolicy("")
	for k, v := range attrs {
		t.set(k, v)
	}
	s.topics[arn] = t
	return topicARNResult{arn}, nil
}

func (s *Store) getTopicAttributes(r *wire.Request, t *topic) (any, error) {
	out := maps.Clone(t.attrs)
	delete(out, "DataProtectionPolicy") // read through GetDataProtectionPolicy in AWS
	confirmed := 0
	for _, arn := range t.subs {
		if s.subs[arn].confirmed {
			confirmed++
		}
	}
	out["TopicArn"] = t.arn
	out["Owner"] = t.account
	if _, ok := out["DisplayName"]; !ok {
		out["DisplayName"] = ""
	}
	if out["Policy"] == "" {
		out["Policy"] = defaultPolicy(t.arn, t.account)
	}
	out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	out["SubscriptionsPending"] = strconv.Itoa(len(t.subs) - confirmed)
	out["SubscriptionsDeleted"] = "0"
	out["EffectiveDeliveryPolicy"] = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
	if t.fifo {
		out["FifoTopic"] = "true"
		if out["ContentBasedDeduplication"] == "" {
			out["ContentBasedDeduplication"] = "false"
		}
	}
	return attributesResult{toEntries(out)}, nil
}

func (s *Store) setTopicAttributes(r *wire.Request, t *topic) (any, error) {
	name, v := r.Form.Get("AttributeName"), r.Form.Get("AttributeValue")
	if name == "Policy" && v == "" {
		return nil, invalidParameter("Invalid parameter: Policy Error: null")
	}
	if err := checkTopicAttribute(name, v, t.fifo, false); err != nil {
		return nil, err
	}
	t.set(name, v)
	return nil, nil
}

func (s *Store) deleteTopic(_ context.Context, r *wire.Request) (any, error) {
	arn := r.Form.Get("TopicArn")
	if arn == "" {
		return nil, invalidParameter("Invalid parameter: TopicArn")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[arn]
	if t == nil {
		// Deleting a topic that does not exist is not an error.
		return nil, nil
	}
	if err := s.authorize(r, t, "sns:DeleteTopic"); err != nil {
		return nil, err
	}
	for _, sub := range t.subs {
		delete(s.subs, sub)
		delete(s.lastErr, sub)
	}
	delete(s.topics, arn)
	return nil, nil
}

// pageOf is the page of items r's NextToken asks for, each as out renders
// it, and the token of the next page ("" on the last one).
func pageOf[T, O any](r *wire.Request, items []T, out func(T) O) ([]O, string, error) {
	start, end, next, ok := paging.Window(r.Form.Get("NextToken"), pageSize, len(items))
	if !ok {
		return nil, "", invalidParameter("Invalid parameter: NextToken")
	}
	page := make([]O, 0, end-start)
	for _, it := range items[start:end] {
		page = append(page, out(it))
	}
	return page, next, nil
}

func (s *Store) listTopics(_ context.Context, r *wire.Request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	topics, next, err := pageOf(r, s.topicsOf(r), func(t *topic) topicARNResult { return topicARNResult{t.arn} })
	return topicsResult{Topics: topics, NextToken: next}, err
}

// topicsOf lists the topics of r's account and region in ARN order. The
// caller holds s.mu.
func (s *Store) topicsOf(r *wire.Request) []*topic {
	var out []*topic
	for _, arn := range slices.Sorted(maps.Keys(s.topics)) {
		if t := s.topics[arn]; t.account == r.Account && t.region == r.Region {
			out = append(out, t)
		}
	}
	return out
}

func (s *Store) tagTarget(arn string) (*topic, error) {
	if arn == "" {
		return nil, invalidParameter("Invalid parameter: ResourceArn")
	}
	t := s.topics[arn]
	if t == nil {
		return nil, wire.Errorf("ResourceNotFound", 404, "Resource does not exist")
	}
	return t, nil
}

func (s *Store) tagResource(_ context.Context, r *wire.Request) (any, error) {
	tags, err := readTags(r, "Tags.member")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicFor(r, "ResourceArn", s.tagTarget, "sns:TagResource")
	if err != nil {
		return nil, err
	}
	merged := maps.Clone(t.tags)
	maps.Copy(merged, tags)
	if len(merged) > maxTags {
		return nil, wire.Errorf("TagLimitExceeded", 400, "Could not complete request: tag quota of per resource exceeded")
	}
	t.tags = merged
	// Unlike most empty results, the SDK requires <TagResourceResult/>.
	return struct{}{}, nil
}

func (s *Store) untagResource(r *wire.Request, t *topic) (any, error) {
	for _, k := range wire.FormStrings(r.Form, "TagKeys.member") {
		delete(t.tags, k)
	}
	return struct{}{}, nil
}

func (s *Store) listTagsForResource(r *wire.Request, t *topic) (any, error) {
	out := tagsResult{Tags: []tagXML{}}
	for _, k := range slices.Sorted(maps.Keys(t.tags)) {
		out.Tags = append(out.Tags, tagXML{k, t.tags[k]})
	}
	return out, nil
}
