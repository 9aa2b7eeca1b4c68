package desired

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/config"
)

// Limits AWS enforces that Build checks before anything is applied
// (AWS-WIRING W7, W8).
const (
	// MaxPatternLength is EventBridge's limit on an event pattern.
	MaxPatternLength = 2048
	// MaxFilterCombinations is SNS's limit on one filter policy.
	MaxFilterCombinations = 150
	// MaxFilterPolicies is SNS's limit of filtered subscriptions per topic.
	MaxFilterPolicies = 200
)

// Delivery settings shared by every target (AWS-WIRING W4): explicit, so a
// reviewer sees them, and equal to AWS's maxima so a transient failure is
// retried for a day before the event goes to the dead-letter queue.
const (
	retryAttempts  = 185
	retryMaxAgeSec = 86400
)

// Digest queue settings (AWS-WIRING W17). Every receive counts toward
// maxReceiveCount; the event digest runs hourly and receives a message
// once per run, so 24 lets a day of Slack outage pass before a healthy
// message is dead-lettered. Messages keep their enqueue time when moved,
// so the dead-letter queue keeps them for the maximum, 14 days.
const (
	digestVisibility   = 300     // seconds a drained message stays hidden
	digestRetention    = 345600  // 4 days
	dlqRetention       = 1209600 // 14 days
	digestMaxReceive   = 24
	roleName           = "forwarder"
	rolePath           = "/orgnotify/"
	forwardPolicyName  = "put-events-hub"
	hubTargetQueueID   = "digest-queue"
	hubTargetTopicID   = "topic"
	forwardTargetID    = "hub-bus"
	deliveryDLQSuffix  = "delivery-dlq"
	digestDLQSuffix    = "-dlq"
	keyDescription     = "orgnotify: encrypts the event topic and the digest queue"
	organizationsSrc   = "aws.organizations"
	apiCallDetailType  = "AWS API Call via CloudTrail"
	serviceEventDetail = "AWS Service Event via CloudTrail"
)

// RolePath is the IAM path of every role orgnotify creates, so that one
// ListRoles call with this prefix finds them all.
const RolePath = rolePath

// Category is an event category as the hub rules and the digest name it.
type Category struct {
	Name   string // hub rule suffix and digest category: "cloudformation"
	Source string // EventBridge source
}

// Categories are the hub's rules, one per category, whatever the accounts
// enable: the hub bus holds a fixed number of rules (a bus holds 300), and
// adding an account never changes a hub resource.
var Categories = []Category{
	{"cloudformation", "aws.cloudformation"},
	{"config", "aws.config"},
	{"guardduty", "aws.guardduty"},
	{"health", "aws.health"},
	{"organizations", organizationsSrc},
	{"rds", "aws.rds"},
	{"securityhub", "aws.securityhub"},
}

// ServiceEvents are the Organizations events AWS emits as service events;
// every other lifecycle event is an API call, which reaches EventBridge
// only where a CloudTrail trail logs (AWS-WIRING W9).
var ServiceEvents = map[string]bool{"CreateAccountResult": true}

// MemberRecorded are the Organizations calls recorded by the member that
// makes them, not by the management account (AWS-WIRING W9).
var MemberRecorded = map[string]bool{"LeaveOrganization": true}

// GuardDutyFloor is the lowest GuardDuty severity number of each label.
var GuardDutyFloor = map[string]float64{"LOW": 1, "MEDIUM": 4, "HIGH": 7, "CRITICAL": 9}

// builder accumulates resources; names and ARNs derive from the org.
type builder struct {
	org   *config.Org
	tags  map[string]string
	out   []Resource
	errs  []error
	hub   string
	home  string
	part  string
	subs  map[string]*subscription // by endpoint key
	roles map[string]bool          // accounts that forward and need the role
}

// Build returns the resources the configuration wants, sorted with Less.
// cfg must have passed validation; Build's errors are AWS limits the
// configuration would exceed, each naming the account file.
func Build(org *config.Org, accounts []*config.Account) ([]Resource, error) {
	if org == nil {
		return nil, errors.New("no organization configuration")
	}
	b := &builder{
		org:   org,
		tags:  map[string]string{org.Ownership.TagKey: org.Ownership.TagValue},
		hub:   org.Hub.AccountID,
		home:  org.Hub.HomeRegion,
		part:  Partition(org.Hub.HomeRegion),
		subs:  map[string]*subscription{},
		roles: map[string]bool{},
	}
	b.hubResources()
	b.lifecycle()
	for _, a := range accounts {
		b.account(a)
	}
	for acct := range b.roles {
		b.forwarderRole(acct)
	}
	b.subscriptions()
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	Sort(b.out)
	return b.out, nil
}

func (b *builder) name(s string) string { return b.org.Ownership.NamePrefix + s }

func (b *builder) add(account, region string, kind Kind, name string, settings map[string]string) {
	r := Resource{ID: ID{Account: account, Region: region, Kind: kind, Name: name}, Settings: settings}
	if kind.Taggable() {
		r.Tags = b.tags
	}
	b.out = append(b.out, r)
}

// ARNs.

func (b *builder) busARN() string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", b.part, b.home, b.hub, b.org.Resources.EventBusName)
}

func (b *builder) hubRuleARN(rule string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:rule/%s/%s", b.part, b.home, b.hub, b.org.Resources.EventBusName, rule)
}

func (b *builder) topicARN() string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", b.part, b.home, b.hub, b.org.Resources.SNSTopicName)
}

func (b *builder) queueARN(region, name string) string {
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", Partition(region), region, b.hub, name)
}

func (b *builder) roleARN(account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", b.part, account, rolePath, b.name(roleName))
}

// DeliveryDLQ is the name of the hub's dead-letter queue for failed
// deliveries; there is one in every region that has rules.
func DeliveryDLQ(org *config.Org) string { return DeliveryDLQOf(org.Ownership.NamePrefix) }

// DeliveryDLQOf is the delivery dead-letter queue's name under prefix.
func DeliveryDLQOf(prefix string) string { return prefix + deliveryDLQSuffix }

// DigestDLQ is the name of the digest queue's dead-letter queue.
func DigestDLQ(org *config.Org) string { return org.Resources.SQSQueueName + digestDLQSuffix }

// RuleRegions are the regions that hold orgnotify rules, each of which has
// a delivery dead-letter queue in the hub: an EventBridge dead-letter queue
// must be in its rule's region (AWS-WIRING W4).
func RuleRegions(org *config.Org) []string {
	rs := append([]string{org.OrganizationsRegion, org.Hub.HomeRegion}, org.Regions...)
	sort.Strings(rs)
	return slices.Compact(rs)
}

// The hub account: key, alias, topic, queues, bus, one rule per category.

func (b *builder) hubResources() {
	o := b.org
	hubRules := make([]string, 0, len(Categories))
	for _, c := range Categories {
		hubRules = append(hubRules, b.hubRuleARN(b.name("hub-"+c.Name)))
	}
	root := fmt.Sprintf("arn:%s:iam::%s:root", b.part, b.hub)

	// The root statement keeps the account in control (KMS refuses a
	// policy that would lock it out) and lets the digest reader decrypt
	// through IAM. Service principals carry no aws:PrincipalOrgID, so they
	// are limited by source account and ARN instead (AWS-WIRING W3).
	keyPolicy := policy(
		statement("AccountAdministers", allow, principal{AWS: root}, []string{"kms:*"}, "*", nil),
		statement("EventBridgeEncrypts", allow, principal{Service: "events.amazonaws.com"},
			[]string{"kms:Decrypt", "kms:GenerateDataKey*"}, "*", conditions{
				"StringEquals": {"aws:SourceAccount": []string{b.hub}},
				"ArnLike":      {"aws:SourceArn": hubRules},
			}),
		statement("SNSEncrypts", allow, principal{Service: "sns.amazonaws.com"},
			[]string{"kms:Decrypt", "kms:GenerateDataKey*"}, "*", conditions{
				"StringEquals": {"aws:SourceAccount": []string{b.hub}},
				"ArnLike":      {"aws:SourceArn": []string{b.topicARN()}},
			}),
	)
	alias := o.Resources.KMSKeyAlias
	b.add(b.hub, b.home, KMSKey, alias, map[string]string{
		SetDescription: keyDescription,
		SetKeyRotation: "true",
		SetPolicy:      keyPolicy,
	})
	b.add(b.hub, b.home, KMSAlias, alias, map[string]string{SetTargetKey: alias})

	// Never alias/aws/sns: EventBridge cannot use the AWS-managed key.
	b.add(b.hub, b.home, SNSTopic, o.Resources.SNSTopicName, map[string]string{
		SetKMSKey: alias,
		SetPolicy: policy(statement("EventBridgePublishes", allow, principal{Service: "events.amazonaws.com"},
			[]string{"sns:Publish"}, b.topicARN(), conditions{"ArnEquals": {"aws:SourceArn": hubRules}})),
	})

	queue := o.Resources.SQSQueueName
	dlq := DigestDLQ(o)
	b.add(b.hub, b.home, SQSQueue, dlq, map[string]string{
		SetKMSKey:                 alias,
		SetMessageRetentionPeriod: strconv.Itoa(dlqRetention),
	})
	b.add(b.hub, b.home, SQSQueue, queue, map[string]string{
		SetKMSKey:                 alias,
		SetMessageRetentionPeriod: strconv.Itoa(digestRetention),
		SetVisibilityTimeout:      strconv.Itoa(digestVisibility),
		SetRedrivePolicy: MustCanonical(map[string]any{
			"deadLetterTargetArn": b.queueARN(b.home, dlq),
			"maxReceiveCount":     digestMaxReceive,
		}, Pattern),
		SetPolicy: policy(statement("EventBridgeSends", allow, principal{Service: "events.amazonaws.com"},
			[]string{"sqs:SendMessage"}, b.queueARN(b.home, queue), conditions{"ArnEquals": {"aws:SourceArn": hubRules}})),
	})

	// One delivery dead-letter queue per rule region, shared by every
	// account's rules there: its policy names orgnotify's rules and the
	// organization, not the accounts, so adding an account changes nothing
	// in the hub. The organization check is IfExists because not every
	// service delivery carries aws:SourceOrgID, and a dead-letter queue
	// that silently refuses is worse than one that accepts a stranger's
	// rule named with our prefix. It uses SQS-owned encryption because KMS
	// keys are regional.
	for _, region := range RuleRegions(o) {
		name := DeliveryDLQ(o)
		b.add(b.hub, region, SQSQueue, name, map[string]string{
			SetSQSManagedSSE:          "true",
			SetMessageRetentionPeriod: strconv.Itoa(dlqRetention),
			SetPolicy: policy(statement("EventBridgeDeadLetters", allow, principal{Service: "events.amazonaws.com"},
				[]string{"sqs:SendMessage"}, b.queueARN(region, name), conditions{
					"StringEqualsIfExists": {"aws:SourceOrgID": []string{o.Organization.ID}},
					"ArnLike": {"aws:SourceArn": []string{
						fmt.Sprintf("arn:%s:events:%s:*:rule/%s*", Partition(region), region, o.Ownership.NamePrefix),
						fmt.Sprintf("arn:%s:events:%s:%s:rule/%s/%s*", Partition(region), region, b.hub, o.Resources.EventBusName, o.Ownership.NamePrefix),
					}},
				})),
		})
	}

	b.add(b.hub, b.home, EventBus, o.Resources.EventBusName, map[string]string{
		SetPolicy: policy(statement("OrganizationPutEvents", allow, principal{AWS: "*"},
			[]string{"events:PutEvents"}, b.busARN(), conditions{"StringEquals": {"aws:PrincipalOrgID": []string{o.Organization.ID}}})),
	})
	for _, c := range Categories {
		b.add(b.hub, b.home, EventRule, b.name("hub-"+c.Name), map[string]string{
			SetEventBusName: o.Resources.EventBusName,
			SetEventPattern: MustCanonical(map[string]any{"source": []string{c.Source}}, Pattern),
			SetState:        "ENABLED",
			SetDescription:  "orgnotify: " + c.Name + " events to the digest queue and the topic",
			SetTargets: targets(
				b.target(hubTargetQueueID, b.queueARN(b.home, queue), "", b.home),
				b.target(hubTargetTopicID, b.topicARN(), "", b.home),
			),
		})
	}
}

// The management account: the Organizations lifecycle rule, in the only
// region where Organizations records events.
func (b *builder) lifecycle() {
	lc := b.org.Lifecycle
	if lc == nil || len(lc.Events) == 0 {
		return
	}
	var names []string
	detailTypes := map[string]bool{}
	for _, e := range lc.Events {
		if MemberRecorded[e] {
			continue
		}
		names = append(names, e)
		if ServiceEvents[e] {
			detailTypes[serviceEventDetail] = true
		} else {
			detailTypes[apiCallDetailType] = true
		}
	}
	if len(names) > 0 {
		mgmt := b.org.Organization.ManagementAccountID
		b.forwardRule(mgmt, b.org.OrganizationsRegion, "lifecycle", "org.yaml lifecycle", map[string]any{
			"source":      []string{organizationsSrc},
			"detail-type": sortedKeys(detailTypes),
			"detail":      map[string]any{"eventSource": []string{"organizations.amazonaws.com"}},
		}, "eventName", names)
	}
	for _, ep := range endpoints(lc.Subscribers) {
		b.subscribe(ep, filterBranch{sources: []string{organizationsSrc}})
	}
}

// An account file: a forwarding rule per enabled category in every region.
func (b *builder) account(a *config.Account) {
	file := a.File
	if lc := b.org.Lifecycle; lc != nil {
		for _, e := range lc.Events {
			if MemberRecorded[e] {
				// Recorded by the member that leaves, in the Organizations
				// region (AWS-WIRING W9).
				b.forwardRule(a.ID, b.org.OrganizationsRegion, "leave", file, map[string]any{
					"source":      []string{organizationsSrc},
					"detail-type": []string{apiCallDetailType},
					"detail":      map[string]any{"eventSource": []string{"organizations.amazonaws.com"}},
				}, "eventName", []string{e})
			}
		}
	}
	ev := a.Events
	if ev == nil {
		return
	}
	type rule struct {
		category string
		pattern  map[string]any
		listKey  string // the detail key whose list may be split
		list     []string
		route    config.Route
	}
	var rules []rule
	if s := ev.StackFailures; s != nil {
		rules = append(rules, rule{"cloudformation", map[string]any{
			"source":      []string{"aws.cloudformation"},
			"detail-type": []string{"CloudFormation Stack Status Change"},
			"detail":      map[string]any{"status-details": map[string]any{"status": s.Statuses}},
		}, "", nil, s.Route})
	}
	if g := ev.GuardDuty; g != nil {
		rules = append(rules, rule{"guardduty", map[string]any{
			"source":      []string{"aws.guardduty"},
			"detail-type": []string{"GuardDuty Finding"},
			"detail":      map[string]any{"severity": []any{map[string]any{"numeric": []any{">=", GuardDutyFloor[g.MinSeverity]}}}},
		}, "", nil, g.Route})
	}
	if s := ev.SecurityHub; s != nil {
		// Security Hub sends each finding in ASFF and, since its OCSF
		// release, in "Findings Imported V2" too (W11): either shape passes,
		// each with its own spelling of the severity.
		rules = append(rules, rule{"securityhub", map[string]any{
			"source": []string{"aws.securityhub"},
			"$or": []any{
				map[string]any{
					"detail-type": []string{"Security Hub Findings - Imported"},
					"detail":      map[string]any{"findings": map[string]any{"Severity": map[string]any{"Label": s.Severities}}},
				},
				map[string]any{
					"detail-type": []string{"Findings Imported V2"},
					"detail":      map[string]any{"findings": map[string]any{"severity": ocsfSeverities(s.Severities)}},
				},
			},
		}, "", nil, s.Route})
	}
	if c := ev.Config; c != nil {
		detail := map[string]any{
			"messageType":         []string{"ComplianceChangeNotification"},
			"newEvaluationResult": map[string]any{"complianceType": c.ComplianceTypes},
		}
		rules = append(rules, rule{"config", map[string]any{
			"source":      []string{"aws.config"},
			"detail-type": []string{"Config Rules Compliance Change"},
			"detail":      detail,
		}, "configRuleName", c.Rules, c.Route})
	}
	if h := ev.Health; h != nil {
		// Public events reach every account; only account-specific ones are
		// forwarded, so a public event is not posted once per account (W12).
		rules = append(rules, rule{"health", map[string]any{
			"source":      []string{"aws.health"},
			"detail-type": []string{"AWS Health Event"},
			"detail": map[string]any{
				"eventTypeCategory": h.EventTypeCategories,
				"eventScopeCode":    []string{"ACCOUNT_SPECIFIC"},
			},
		}, "service", h.Services, h.Route})
	}
	if r := ev.RDS; r != nil {
		// Aurora reports cluster events besides instance events (W13).
		rules = append(rules, rule{"rds", map[string]any{
			"source":      []string{"aws.rds"},
			"detail-type": []string{"RDS DB Instance Event", "RDS DB Cluster Event"},
			"detail":      map[string]any{"EventCategories": r.EventCategories},
		}, "", nil, r.Route})
	}
	for _, r := range rules {
		for _, region := range b.org.Regions {
			b.forwardRule(a.ID, region, r.category, file, r.pattern, r.listKey, r.list)
		}
		source := r.pattern["source"].([]string)
		for _, ep := range endpoints(r.route.Subscribers) {
			b.subscribe(ep, filterBranch{accounts: []string{a.ID}, sources: source})
		}
	}
}

// ocsfSeverities spells Security Hub severity labels as OCSF findings do;
// OCSF's Fatal, above Critical, goes with CRITICAL.
func ocsfSeverities(labels []string) []string {
	var out []string
	for _, l := range labels {
		if l == "" {
			continue // the schema refuses it; never index an empty label
		}
		out = append(out, strings.ToUpper(l[:1])+strings.ToLower(l[1:]))
		if l == "CRITICAL" {
			out = append(out, "Fatal")
		}
	}
	return out
}

// forwardRule adds the rule(s) forwarding matching events from an
// account's default bus in region to the hub bus. When listKey is set, the
// list goes under detail.listKey (an empty list matches everything), and
// the rule is split into several when the pattern would pass AWS's limit.
func (b *builder) forwardRule(account, region, category, file string, pattern map[string]any, listKey string, list []string) {
	b.roles[account] = true
	chunks := [][]string{list}
	for {
		var patterns []string
		tooLong := -1
		for i, c := range chunks {
			p := MustCanonical(withList(pattern, listKey, c), Pattern)
			if len(p) > MaxPatternLength {
				tooLong = i
				break
			}
			patterns = append(patterns, p)
		}
		if tooLong < 0 {
			for i, p := range patterns {
				name := b.name("fwd-" + category)
				if i > 0 {
					name += "-" + strconv.Itoa(i+1)
				}
				b.add(account, region, EventRule, name, map[string]string{
					SetEventBusName: "default",
					SetEventPattern: p,
					SetState:        "ENABLED",
					SetDescription:  "orgnotify: " + category + " events to the hub (" + file + ")",
					SetTargets:      targets(b.target(forwardTargetID, b.busARN(), b.roleARN(account), region)),
				})
			}
			return
		}
		c := chunks[tooLong]
		if len(c) < 2 {
			b.errs = append(b.errs, fmt.Errorf("%s: the %s event pattern is longer than AWS's %d characters even for one %s", file, category, MaxPatternLength, listKey))
			return
		}
		half := len(c) / 2
		chunks = slices.Concat(chunks[:tooLong], [][]string{c[:half], c[half:]}, chunks[tooLong+1:])
	}
}

func withList(pattern map[string]any, key string, list []string) map[string]any {
	if key == "" || len(list) == 0 {
		return pattern
	}
	out := map[string]any{}
	for k, v := range pattern {
		out[k] = v
	}
	detail := map[string]any{}
	for k, v := range pattern["detail"].(map[string]any) {
		detail[k] = v
	}
	if key == "configRuleName" {
		// Matched by prefix: an organization rule appears in members as
		// OrgConfigRule-<name>-<suffix>, a conformance pack's rule carries
		// the pack's suffix (AWS-WIRING W10).
		var m []any
		for _, r := range list {
			m = append(m, map[string]any{"prefix": r}, map[string]any{"prefix": "OrgConfigRule-" + r + "-"})
		}
		detail[key] = m
	} else {
		detail[key] = list
	}
	out["detail"] = detail
	return out
}

// forwarderRole is the role every forwarding target uses (AWS-WIRING W1):
// only EventBridge acting for this account may assume it, and it may only
// put events on the hub bus.
func (b *builder) forwarderRole(account string) {
	b.add(account, Global, IAMRole, b.name(roleName), map[string]string{
		SetDescription: "orgnotify: lets EventBridge forward this account's events to the hub bus",
		SetTrustPolicy: policy(statement("EventBridgeAssumes", allow, principal{Service: "events.amazonaws.com"},
			[]string{"sts:AssumeRole"}, "", conditions{"StringEquals": {"aws:SourceAccount": []string{account}}})),
		SetInlinePolicyPrefix + forwardPolicyName: policy(statement("PutEventsOnHubBus", allow, principal{},
			[]string{"events:PutEvents"}, b.busARN(), nil)),
	})
}

// target is one rule target with its dead-letter queue (the hub's queue in
// the rule's region) and explicit retry policy (AWS-WIRING W4).
func (b *builder) target(id, arn, role, region string) map[string]any {
	t := map[string]any{
		"Id":               id,
		"Arn":              arn,
		"DeadLetterConfig": map[string]any{"Arn": b.queueARN(region, DeliveryDLQ(b.org))},
		"RetryPolicy":      map[string]any{"MaximumRetryAttempts": retryAttempts, "MaximumEventAgeInSeconds": retryMaxAgeSec},
	}
	if role != "" {
		t["RoleArn"] = role
	}
	return t
}

func targets(ts ...map[string]any) string {
	list := make([]any, len(ts))
	for i, t := range ts {
		list[i] = t
	}
	return MustCanonical(list, Pattern)
}

// Subscriptions: one per endpoint on the hub topic, whatever the number of
// accounts and categories that name it (SNS refuses a second subscription
// of the same endpoint with other attributes, AWS-WIRING W6), with a
// filter policy on the message body so it gets only its own accounts' and
// categories' events.

type endpoint struct{ protocol, address string }

func endpoints(s *config.Subscribers) []endpoint {
	if s == nil {
		return nil
	}
	var out []endpoint
	for _, e := range s.Emails {
		out = append(out, endpoint{"email", e})
	}
	for _, u := range s.HTTPS {
		out = append(out, endpoint{"https", u})
	}
	return out
}

type filterBranch struct{ accounts, sources []string }

type subscription struct {
	ep       endpoint
	branches []filterBranch
}

func (b *builder) subscribe(ep endpoint, f filterBranch) {
	key := ep.protocol + ":" + ep.address
	s := b.subs[key]
	if s == nil {
		s = &subscription{ep: ep}
		b.subs[key] = s
	}
	s.branches = append(s.branches, f)
}

func (b *builder) subscriptions() {
	// Spreading subscribers over several topics is not built: past the
	// limit the configuration is refused rather than half-applied.
	if len(b.subs) > MaxFilterPolicies {
		b.errs = append(b.errs, fmt.Errorf("%d subscriber endpoints: SNS allows %d filtered subscriptions on one topic", len(b.subs), MaxFilterPolicies))
		return
	}
	for _, s := range b.subs {
		var branches []any
		combos := 0
		for _, f := range s.branches {
			br := map[string]any{"source": f.sources}
			n := len(f.sources)
			if len(f.accounts) > 0 {
				br["account"] = f.accounts
				n *= len(f.accounts)
			}
			combos += n
			branches = append(branches, br)
		}
		if combos > MaxFilterCombinations {
			b.errs = append(b.errs, fmt.Errorf("subscriber %s: its filter policy would need %d combinations, SNS allows %d", s.ep.address, combos, MaxFilterCombinations))
			continue
		}
		var filter any = map[string]any{"$or": branches}
		if len(branches) == 1 {
			filter = branches[0]
		}
		b.add(b.hub, b.home, SNSSubscription, b.org.Resources.SNSTopicName+"/"+s.ep.protocol+":"+s.ep.address, map[string]string{
			SetTopicARN:          b.topicARN(),
			SetProtocol:          s.ep.protocol,
			SetEndpoint:          s.ep.address,
			SetFilterPolicy:      MustCanonical(filter, Pattern),
			SetFilterPolicyScope: "MessageBody",
		})
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
