package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// ObserveRegion returns what orgnotify owns in account and region, in the
// canonical form package desired builds: the rules on the default bus in
// every account; in the hub also the queues (a delivery dead-letter queue
// lives in every rule region), and in the hub's home region the key,
// aliases, topic, subscriptions, bus and the rules on it. Only names with
// the prefix are read. Roles are global: see ObserveRoles.
func (c *Cloud) ObserveRegion(ctx context.Context, account, region string) ([]desired.Resource, error) {
	cfg := c.cfg(account, region)
	eb := eventbridge.NewFromConfig(cfg)
	out, err := c.observeRules(ctx, eb, account, region, "default")
	if err != nil {
		return nil, err
	}
	if account != c.layout.Hub {
		return out, nil
	}
	steps := []func(context.Context, sdkaws.Config, string, string) ([]desired.Resource, error){c.observeQueues}
	if region == c.layout.HomeRegion {
		steps = append(steps, c.observeKMS, c.observeTopic, c.observeBus)
	}
	for _, step := range steps {
		rs, err := step(ctx, cfg, account, region)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	if c.layout.Bus != "" && region == c.layout.HomeRegion {
		rs, err := c.observeRules(ctx, eb, account, region, c.layout.Bus)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	desired.Sort(out)
	return out, nil
}

// observeRules lists every rule on the bus, not only the prefixed ones:
// the same pages (one for most buses) also count the rules for the quota
// check (CountRules), which would otherwise list them again.
func (c *Cloud) observeRules(ctx context.Context, eb *eventbridge.Client, account, region, bus string) ([]desired.Resource, error) {
	var out []desired.Resource
	n, err := listRules(ctx, eb, account, region, bus, func(r ebtypes.Rule) error {
		if !strings.HasPrefix(sdkaws.ToString(r.Name), c.layout.Prefix) {
			return nil
		}
		res, err := c.observeRule(ctx, eb, account, region, bus, r)
		out = append(out, res)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.countsMu.Lock()
	c.ruleCounts[busKey{account, region, bus}] = n
	c.countsMu.Unlock()
	return out, nil
}

// listRules calls each for every rule on bus, page by page, and returns
// how many there are; a hub bus that does not exist yet has none. Errors
// of each are returned as they are.
func listRules(ctx context.Context, eb *eventbridge.Client, account, region, bus string, each func(ebtypes.Rule) error) (int, error) {
	in := &eventbridge.ListRulesInput{EventBusName: sdkaws.String(bus), Limit: sdkaws.Int32(100)}
	n := 0
	for {
		page, err := eb.ListRules(ctx, in)
		if err != nil {
			if bus != "default" && isCode(err, "ResourceNotFoundException") {
				return 0, nil
			}
			return 0, fmt.Errorf("list rules on %s in %s/%s: %w", bus, account, region, err)
		}
		for _, r := range page.Rules {
			if err := each(r); err != nil {
				return 0, err
			}
		}
		n += len(page.Rules)
		if page.NextToken == nil {
			return n, nil
		}
		in.NextToken = page.NextToken
	}
}

func (c *Cloud) observeRule(ctx context.Context, eb *eventbridge.Client, account, region, bus string, r ebtypes.Rule) (desired.Resource, error) {
	name := sdkaws.ToString(r.Name)
	res := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.EventRule, Name: name}, Settings: map[string]string{}}
	tags, err := c.ruleTags(ctx, eb, sdkaws.ToString(r.Arn))
	if err != nil {
		return res, fmt.Errorf("rule %s in %s/%s: %w", name, account, region, err)
	}
	res.Tags = tags
	res.Foreign = !c.owned(tags)
	res.Ref = sdkaws.ToString(r.Arn)
	pattern, err := canonical(sdkaws.ToString(r.EventPattern), desired.Pattern)
	if err != nil {
		return res, fmt.Errorf("rule %s in %s/%s: %w", name, account, region, err)
	}
	set(res.Settings, desired.SetEventBusName, bus)
	set(res.Settings, desired.SetEventPattern, pattern)
	set(res.Settings, desired.SetState, string(r.State))
	set(res.Settings, desired.SetDescription, sdkaws.ToString(r.Description))
	targets, err := listTargets(ctx, eb, name, bus)
	if err != nil {
		return res, fmt.Errorf("list targets of %s in %s/%s: %w", name, account, region, err)
	}
	set(res.Settings, desired.SetTargets, encodeTargets(targets))
	return res, nil
}

func (c *Cloud) ruleTags(ctx context.Context, eb *eventbridge.Client, ruleARN string) (map[string]string, error) {
	out, err := eb.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: sdkaws.String(ruleARN)})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return tags, nil
}

func listTargets(ctx context.Context, eb *eventbridge.Client, rule, bus string) ([]ebtypes.Target, error) {
	var out []ebtypes.Target
	in := &eventbridge.ListTargetsByRuleInput{Rule: sdkaws.String(rule), EventBusName: sdkaws.String(bus)}
	for {
		page, err := eb.ListTargetsByRule(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Targets...)
		if page.NextToken == nil {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// Target is a rule target as stored in the Targets setting: the fields
// orgnotify sets, nothing else.
type Target struct {
	ID               string       `json:"Id"`
	ARN              string       `json:"Arn"`
	RoleARN          string       `json:"RoleArn,omitempty"`
	DeadLetterConfig *DeadLetter  `json:"DeadLetterConfig,omitempty"`
	RetryPolicy      *RetryPolicy `json:"RetryPolicy,omitempty"`
}

// DeadLetter is a target's dead-letter queue.
type DeadLetter struct {
	ARN string `json:"Arn"`
}

// RetryPolicy is a target's retry policy.
type RetryPolicy struct {
	MaximumEventAgeInSeconds *int32 `json:"MaximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int32 `json:"MaximumRetryAttempts,omitempty"`
}

func encodeTargets(ts []ebtypes.Target) string {
	list := make([]Target, 0, len(ts))
	for _, t := range ts {
		x := Target{ID: sdkaws.ToString(t.Id), ARN: sdkaws.ToString(t.Arn), RoleARN: sdkaws.ToString(t.RoleArn)}
		if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != nil {
			x.DeadLetterConfig = &DeadLetter{ARN: *t.DeadLetterConfig.Arn}
		}
		if t.RetryPolicy != nil {
			x.RetryPolicy = &RetryPolicy{MaximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds, MaximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts}
		}
		list = append(list, x)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return desired.MustCanonical(list, desired.Pattern)
}

func decodeTargets(doc string) ([]Target, error) {
	if doc == "" {
		return nil, nil
	}
	var ts []Target
	if err := json.Unmarshal([]byte(doc), &ts); err != nil {
		return nil, fmt.Errorf("parse targets: %w", err)
	}
	return ts, nil
}

func (t Target) sdk() ebtypes.Target {
	out := ebtypes.Target{Id: sdkaws.String(t.ID), Arn: sdkaws.String(t.ARN)}
	if t.RoleARN != "" {
		out.RoleArn = sdkaws.String(t.RoleARN)
	}
	if t.DeadLetterConfig != nil {
		out.DeadLetterConfig = &ebtypes.DeadLetterConfig{Arn: sdkaws.String(t.DeadLetterConfig.ARN)}
	}
	if t.RetryPolicy != nil {
		out.RetryPolicy = &ebtypes.RetryPolicy{MaximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds, MaximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts}
	}
	return out
}

func (c *Cloud) observeBus(ctx context.Context, cfg sdkaws.Config, account, region string) ([]desired.Resource, error) {
	if c.layout.Bus == "" {
		return nil, nil
	}
	eb := eventbridge.NewFromConfig(cfg)
	out, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: sdkaws.String(c.layout.Bus)})
	if isCode(err, "ResourceNotFoundException") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe bus %s in %s/%s: %w", c.layout.Bus, account, region, err)
	}
	res := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.EventBus, Name: c.layout.Bus}, Settings: map[string]string{}, Ref: sdkaws.ToString(out.Arn)}
	if res.Tags, err = c.ruleTags(ctx, eb, res.Ref); err != nil {
		return nil, fmt.Errorf("bus %s in %s/%s: %w", c.layout.Bus, account, region, err)
	}
	res.Foreign = !c.owned(res.Tags)
	policy, err := canonical(sdkaws.ToString(out.Policy), desired.Policy)
	if err != nil {
		return nil, fmt.Errorf("bus %s in %s/%s: %w", c.layout.Bus, account, region, err)
	}
	set(res.Settings, desired.SetPolicy, policy)
	set(res.Settings, desired.SetDescription, sdkaws.ToString(out.Description))
	return []desired.Resource{res}, nil
}

// observeKMS finds keys through their aliases: an alias with the prefix
// names the key; the key is owned when tagged, the alias when it points at
// an owned key (AWS-WIRING W5).
func (c *Cloud) observeKMS(ctx context.Context, cfg sdkaws.Config, account, region string) ([]desired.Resource, error) {
	k := kms.NewFromConfig(cfg)
	var aliases []kmstypes.AliasListEntry
	p := kms.NewListAliasesPaginator(k, &kms.ListAliasesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list aliases in %s/%s: %w", account, region, err)
		}
		for _, a := range page.Aliases {
			if strings.HasPrefix(sdkaws.ToString(a.AliasName), "alias/"+c.layout.Prefix) {
				aliases = append(aliases, a)
			}
		}
	}
	sort.Slice(aliases, func(i, j int) bool {
		return sdkaws.ToString(aliases[i].AliasName) < sdkaws.ToString(aliases[j].AliasName)
	})

	var out []desired.Resource
	keyName := map[string]string{} // key ID → the key resource's name (its first alias)
	keyOwned := map[string]bool{}
	for _, a := range aliases {
		name, keyID := sdkaws.ToString(a.AliasName), sdkaws.ToString(a.TargetKeyId)
		if keyID == "" {
			continue
		}
		if _, seen := keyName[keyID]; !seen {
			key, ok, err := c.observeKey(ctx, k, account, region, name, keyID)
			if err != nil {
				return nil, err
			}
			if !ok { // pending deletion: as good as gone
				keyName[keyID] = ""
			} else {
				keyName[keyID] = name
				keyOwned[keyID] = !key.Foreign
				out = append(out, key)
			}
		}
		alias := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.KMSAlias, Name: name}, Settings: map[string]string{}, Ref: keyID}
		alias.Foreign = !keyOwned[keyID]
		target := keyName[keyID]
		if target == "" {
			target = keyID
		}
		set(alias.Settings, desired.SetTargetKey, target)
		out = append(out, alias)
	}
	return out, nil
}

func (c *Cloud) observeKey(ctx context.Context, k *kms.Client, account, region, name, keyID string) (desired.Resource, bool, error) {
	res := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.KMSKey, Name: name}, Settings: map[string]string{}, Ref: keyID}
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String(keyID)})
	if err != nil {
		return res, false, fmt.Errorf("describe key %s in %s/%s: %w", name, account, region, err)
	}
	if st := d.KeyMetadata.KeyState; st == kmstypes.KeyStatePendingDeletion || st == kmstypes.KeyStatePendingReplicaDeletion {
		return res, false, nil
	}
	tags, err := c.keyTags(ctx, k, keyID)
	if err != nil {
		return res, false, fmt.Errorf("key %s in %s/%s: %w", name, account, region, err)
	}
	res.Tags, res.Foreign = tags, !c.owned(tags)
	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: sdkaws.String(keyID), PolicyName: sdkaws.String("default")})
	if err != nil {
		return res, false, fmt.Errorf("get key policy of %s in %s/%s: %w", name, account, region, err)
	}
	policy, err := canonical(sdkaws.ToString(pol.Policy), desired.Policy)
	if err != nil {
		return res, false, fmt.Errorf("key policy of %s in %s/%s: %w", name, account, region, err)
	}
	rot, err := k.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: sdkaws.String(keyID)})
	if err != nil {
		return res, false, fmt.Errorf("get key rotation of %s in %s/%s: %w", name, account, region, err)
	}
	set(res.Settings, desired.SetPolicy, policy)
	set(res.Settings, desired.SetKeyRotation, strconv.FormatBool(rot.KeyRotationEnabled))
	set(res.Settings, desired.SetDescription, sdkaws.ToString(d.KeyMetadata.Description))
	return res, true, nil
}

func (c *Cloud) keyTags(ctx context.Context, k *kms.Client, keyID string) (map[string]string, error) {
	tags := map[string]string{}
	p := kms.NewListResourceTagsPaginator(k, &kms.ListResourceTagsInput{KeyId: sdkaws.String(keyID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		for _, t := range page.Tags {
			tags[sdkaws.ToString(t.TagKey)] = sdkaws.ToString(t.TagValue)
		}
	}
	return tags, nil
}

// queueAttributes are the queue attributes orgnotify manages, with the
// canonical form of the JSON ones.
var queueAttributes = map[string]desired.Doc{
	desired.SetPolicy:                 desired.Policy,
	desired.SetRedrivePolicy:          desired.Pattern,
	desired.SetKMSKey:                 -1,
	desired.SetSQSManagedSSE:          -1,
	desired.SetMessageRetentionPeriod: -1,
	desired.SetVisibilityTimeout:      -1,
}

func (c *Cloud) observeQueues(ctx context.Context, cfg sdkaws.Config, account, region string) ([]desired.Resource, error) {
	q := sqs.NewFromConfig(cfg)
	var out []desired.Resource
	p := sqs.NewListQueuesPaginator(q, &sqs.ListQueuesInput{QueueNamePrefix: sdkaws.String(c.layout.Prefix), MaxResults: sdkaws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list queues in %s/%s: %w", account, region, err)
		}
		for _, u := range page.QueueUrls {
			res, ok, err := c.observeQueue(ctx, q, account, region, u)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, res)
			}
		}
	}
	return out, nil
}

func (c *Cloud) observeQueue(ctx context.Context, q *sqs.Client, account, region, url string) (desired.Resource, bool, error) {
	name := url[strings.LastIndex(url, "/")+1:]
	res := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.SQSQueue, Name: name}, Settings: map[string]string{}, Ref: url}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: sdkaws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if isCode(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
		return res, false, nil // deleted since the listing
	}
	if err != nil {
		return res, false, fmt.Errorf("get attributes of queue %s in %s/%s: %w", name, account, region, err)
	}
	for key, kind := range queueAttributes {
		v := attrs.Attributes[key]
		if kind >= 0 {
			if v, err = canonical(v, kind); err != nil {
				return res, false, fmt.Errorf("queue %s in %s/%s: %s: %w", name, account, region, key, err)
			}
		}
		set(res.Settings, key, v)
	}
	tags, err := q.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: sdkaws.String(url)})
	if err != nil {
		return res, false, fmt.Errorf("list tags of queue %s in %s/%s: %w", name, account, region, err)
	}
	res.Tags = tags.Tags
	if res.Tags == nil {
		res.Tags = map[string]string{}
	}
	res.Foreign = !c.owned(res.Tags)
	return res, true, nil
}

func (c *Cloud) observeTopic(ctx context.Context, cfg sdkaws.Config, account, region string) ([]desired.Resource, error) {
	if c.layout.Topic == "" {
		return nil, nil
	}
	t := sns.NewFromConfig(cfg)
	topicARN := arn(region, "sns", account, c.layout.Topic)
	attrs, err := t.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: sdkaws.String(topicARN)})
	if isCode(err, "NotFound", "NotFoundException") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get topic %s in %s/%s: %w", c.layout.Topic, account, region, err)
	}
	topic := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.SNSTopic, Name: c.layout.Topic}, Settings: map[string]string{}, Ref: topicARN}
	if topic.Tags, err = c.topicTags(ctx, t, topicARN); err != nil {
		return nil, fmt.Errorf("topic %s in %s/%s: %w", c.layout.Topic, account, region, err)
	}
	topic.Foreign = !c.owned(topic.Tags)
	policy, err := canonical(attrs.Attributes["Policy"], desired.Policy)
	if err != nil {
		return nil, fmt.Errorf("topic %s in %s/%s: policy: %w", c.layout.Topic, account, region, err)
	}
	set(topic.Settings, desired.SetPolicy, policy)
	set(topic.Settings, desired.SetKMSKey, attrs.Attributes[desired.SetKMSKey])
	out := []desired.Resource{topic}

	p := sns.NewListSubscriptionsByTopicPaginator(t, &sns.ListSubscriptionsByTopicInput{TopicArn: sdkaws.String(topicARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list subscriptions of %s in %s/%s: %w", c.layout.Topic, account, region, err)
		}
		for _, s := range page.Subscriptions {
			sub := desired.Resource{ID: desired.ID{Account: account, Region: region, Kind: desired.SNSSubscription,
				Name: c.layout.Topic + "/" + sdkaws.ToString(s.Protocol) + ":" + sdkaws.ToString(s.Endpoint)},
				Settings: map[string]string{}, Foreign: topic.Foreign}
			set(sub.Settings, desired.SetTopicARN, topicARN)
			set(sub.Settings, desired.SetProtocol, sdkaws.ToString(s.Protocol))
			set(sub.Settings, desired.SetEndpoint, sdkaws.ToString(s.Endpoint))
			subARN := sdkaws.ToString(s.SubscriptionArn)
			if !strings.HasPrefix(subARN, "arn:") { // "PendingConfirmation": no ARN, attributes unreadable (W6)
				sub.Pending = true
				out = append(out, sub)
				continue
			}
			sub.Ref = subARN
			a, err := t.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sdkaws.String(subARN)})
			if isCode(err, "NotFound", "NotFoundException") {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("get subscription %s in %s/%s: %w", sub.Name, account, region, err)
			}
			if a.Attributes["PendingConfirmation"] == "true" {
				sub.Pending = true
			}
			filter, err := canonical(a.Attributes[desired.SetFilterPolicy], desired.Pattern)
			if err != nil {
				return nil, fmt.Errorf("subscription %s in %s/%s: filter policy: %w", sub.Name, account, region, err)
			}
			set(sub.Settings, desired.SetFilterPolicy, filter)
			if filter != "" {
				set(sub.Settings, desired.SetFilterPolicyScope, a.Attributes[desired.SetFilterPolicyScope])
			}
			out = append(out, sub)
		}
	}
	return out, nil
}

func (c *Cloud) topicTags(ctx context.Context, t *sns.Client, topicARN string) (map[string]string, error) {
	out, err := t.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: sdkaws.String(topicARN)})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	tags := map[string]string{}
	for _, x := range out.Tags {
		tags[sdkaws.ToString(x.Key)] = sdkaws.ToString(x.Value)
	}
	return tags, nil
}

// OwnsRoles reports whether account holds a role under orgnotify's path:
// the one cheap call that discovers an account removed from the
// configuration but still wired.
func (c *Cloud) OwnsRoles(ctx context.Context, account string) (bool, error) {
	out, err := iam.NewFromConfig(c.cfg(account, c.layout.OrgRegion)).ListRoles(ctx, &iam.ListRolesInput{PathPrefix: sdkaws.String(RolePath), MaxItems: sdkaws.Int32(1)})
	if err != nil {
		return false, fmt.Errorf("list roles in %s: %w", account, err)
	}
	return len(out.Roles) > 0, nil
}

// ObserveRoles returns orgnotify's roles in account (IAM is global): those
// under RolePath whose name has the prefix.
func (c *Cloud) ObserveRoles(ctx context.Context, account string) ([]desired.Resource, error) {
	client := iam.NewFromConfig(c.cfg(account, c.layout.OrgRegion))
	var out []desired.Resource
	p := iam.NewListRolesPaginator(client, &iam.ListRolesInput{PathPrefix: sdkaws.String(RolePath)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list roles in %s: %w", account, err)
		}
		for _, r := range page.Roles {
			name := sdkaws.ToString(r.RoleName)
			if !strings.HasPrefix(name, c.layout.Prefix) {
				continue
			}
			res := desired.Resource{ID: desired.ID{Account: account, Region: desired.Global, Kind: desired.IAMRole, Name: name}, Settings: map[string]string{}, Ref: sdkaws.ToString(r.Arn)}
			var err error
			if res.Tags, err = roleTags(ctx, client, name); err != nil {
				return nil, fmt.Errorf("role %s in %s: %w", name, account, err)
			}
			res.Foreign = !c.owned(res.Tags)
			trust, err := decodeIAM(sdkaws.ToString(r.AssumeRolePolicyDocument))
			if err == nil {
				trust, err = canonical(trust, desired.Policy)
			}
			if err != nil {
				return nil, fmt.Errorf("trust policy of role %s in %s: %w", name, account, err)
			}
			set(res.Settings, desired.SetTrustPolicy, trust)
			set(res.Settings, desired.SetDescription, sdkaws.ToString(r.Description))
			inline, err := inlinePolicies(ctx, client, name)
			if err != nil {
				return nil, fmt.Errorf("role %s in %s: %w", name, account, err)
			}
			for k, v := range inline {
				res.Settings[desired.SetInlinePolicyPrefix+k] = v
			}
			out = append(out, res)
		}
	}
	return out, nil
}

func roleTags(ctx context.Context, client *iam.Client, name string) (map[string]string, error) {
	tags := map[string]string{}
	p := iam.NewListRoleTagsPaginator(client, &iam.ListRoleTagsInput{RoleName: sdkaws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		for _, t := range page.Tags {
			tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return tags, nil
}

func inlinePolicies(ctx context.Context, client *iam.Client, role string) (map[string]string, error) {
	out := map[string]string{}
	p := iam.NewListRolePoliciesPaginator(client, &iam.ListRolePoliciesInput{RoleName: sdkaws.String(role)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list inline policies: %w", err)
		}
		for _, name := range page.PolicyNames {
			got, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: sdkaws.String(role), PolicyName: sdkaws.String(name)})
			if err != nil {
				return nil, fmt.Errorf("get inline policy %s: %w", name, err)
			}
			doc, err := decodeIAM(sdkaws.ToString(got.PolicyDocument))
			if err == nil {
				doc, err = canonical(doc, desired.Policy)
			}
			if err != nil {
				return nil, fmt.Errorf("inline policy %s: %w", name, err)
			}
			out[name] = doc
		}
	}
	return out, nil
}

// set records a setting AWS reports, leaving out empty values so that an
// unset attribute equals one desired leaves out.
func set(m map[string]string, key, value string) {
	if value != "" {
		m[key] = value
	}
}

// CountRules counts every rule on an account's event bus, orgnotify's and
// everyone else's: a bus holds 300 rules (100 in some regions), and the
// plan must know how many are taken before it adds its own (AWS-WIRING W8).
// A bus ObserveRegion has listed is counted from that listing: the plan
// checks the quota right after observing, before anything is applied.
func (c *Cloud) CountRules(ctx context.Context, account, region, bus string) (int, error) {
	c.countsMu.Lock()
	n, ok := c.ruleCounts[busKey{account, region, bus}]
	c.countsMu.Unlock()
	if ok {
		return n, nil
	}
	eb := eventbridge.NewFromConfig(c.cfg(account, region))
	return listRules(ctx, eb, account, region, bus, func(ebtypes.Rule) error { return nil })
}
