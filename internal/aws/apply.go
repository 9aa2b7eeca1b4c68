package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// Actions Apply understands (package plan's Change.Action values).
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// RoleWait bounds the wait for a new role to become visible (AWS-WIRING
// W1: a role can take seconds to propagate).
const RoleWait = 2 * time.Minute

// KeyDeletionDays is the waiting period of a deleted key: the shortest AWS
// allows, and still a week to cancel a mistake.
const KeyDeletionDays = 7

// Apply makes one change: action on want (create, update) or have
// (update, delete). Before an update or delete the ownership tag is read
// again; a resource that lost it is left alone and ErrNotOwned returned.
func (c *Cloud) Apply(ctx context.Context, action string, want, have *desired.Resource) error {
	r := want
	if r == nil {
		r = have
	}
	if r == nil {
		return errors.New("apply: a change without a resource")
	}
	if action != ActionCreate && have == nil {
		return fmt.Errorf("%s %s: nothing observed to %s", action, r.ID, action)
	}
	if (action == ActionCreate || action == ActionUpdate) && want == nil {
		return fmt.Errorf("%s %s: no desired state", action, r.ID)
	}
	var err error
	switch r.Kind {
	case desired.IAMRole:
		err = c.applyRole(ctx, action, want, have)
	case desired.KMSKey:
		err = c.applyKey(ctx, action, want, have)
	case desired.KMSAlias:
		err = c.applyAlias(ctx, action, want, have)
	case desired.SQSQueue:
		err = c.applyQueue(ctx, action, want, have)
	case desired.SNSTopic:
		err = c.applyTopic(ctx, action, want, have)
	case desired.SNSSubscription:
		err = c.applySubscription(ctx, action, want, have)
	case desired.EventBus:
		err = c.applyBus(ctx, action, want, have)
	case desired.EventRule:
		err = c.applyRule(ctx, action, want, have)
	default:
		return fmt.Errorf("%s %s: unknown kind", action, r.ID)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, r.ID, err)
	}
	return nil
}

func notOwned(what string) error {
	return fmt.Errorf("%s lost the ownership tag since the plan; left alone: %w", what, ErrNotOwned)
}

// --- IAM roles

func (c *Cloud) applyRole(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	client := iam.NewFromConfig(c.cfg(r.Account, c.layout.OrgRegion))
	name := sdkaws.String(r.Name)
	if action == ActionCreate {
		in := &iam.CreateRoleInput{
			RoleName:                 name,
			Path:                     sdkaws.String(RolePath),
			AssumeRolePolicyDocument: sdkaws.String(want.Settings[desired.SetTrustPolicy]),
			Tags:                     iamTags(c.withOwnTag(want.Tags)),
		}
		if d := want.Settings[desired.SetDescription]; d != "" {
			in.Description = sdkaws.String(d)
		}
		if _, err := client.CreateRole(ctx, in); err != nil {
			return fmt.Errorf("create role: %w", err)
		}
		// W1: a new role is not usable everywhere at once.
		if err := iam.NewRoleExistsWaiter(client).Wait(ctx, &iam.GetRoleInput{RoleName: name}, RoleWait); err != nil {
			return fmt.Errorf("wait for role: %w", err)
		}
		return c.putInlinePolicies(ctx, client, r.Name, want.Settings, nil)
	}
	tags, err := roleTags(ctx, client, r.Name)
	if isCode(err, "NoSuchEntity") && action == ActionDelete {
		return nil
	}
	if err != nil {
		return fmt.Errorf("recheck ownership: %w", err)
	}
	if !c.owned(tags) {
		return notOwned("the role")
	}
	if action == ActionDelete {
		current, err := inlinePolicies(ctx, client, r.Name)
		if err != nil {
			return err
		}
		for _, p := range sortedKeys(current) {
			if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: sdkaws.String(p)}); err != nil {
				return fmt.Errorf("delete inline policy %s: %w", p, err)
			}
		}
		if _, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name}); err != nil {
			return fmt.Errorf("delete role: %w", err)
		}
		return nil
	}
	if want.Settings[desired.SetTrustPolicy] != have.Settings[desired.SetTrustPolicy] {
		if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: sdkaws.String(want.Settings[desired.SetTrustPolicy])}); err != nil {
			return fmt.Errorf("update trust policy: %w", err)
		}
	}
	if err := c.putInlinePolicies(ctx, client, r.Name, want.Settings, have.Settings); err != nil {
		return err
	}
	if missing := missingTags(want.Tags, tags); len(missing) > 0 {
		if _, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: name, Tags: iamTags(missing)}); err != nil {
			return fmt.Errorf("tag role: %w", err)
		}
	}
	return nil
}

// putInlinePolicies writes the inline policies of want that differ from
// have and deletes those only have holds.
func (c *Cloud) putInlinePolicies(ctx context.Context, client *iam.Client, role string, want, have map[string]string) error {
	for _, k := range sortedKeys(want) {
		p, ok := strings.CutPrefix(k, desired.SetInlinePolicyPrefix)
		if !ok || want[k] == have[k] {
			continue
		}
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: sdkaws.String(role), PolicyName: sdkaws.String(p), PolicyDocument: sdkaws.String(want[k])}); err != nil {
			return fmt.Errorf("put inline policy %s: %w", p, err)
		}
	}
	for _, k := range sortedKeys(have) {
		p, ok := strings.CutPrefix(k, desired.SetInlinePolicyPrefix)
		if _, kept := want[k]; !ok || kept {
			continue
		}
		if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: sdkaws.String(role), PolicyName: sdkaws.String(p)}); err != nil {
			return fmt.Errorf("delete inline policy %s: %w", p, err)
		}
	}
	return nil
}

func iamTags(m map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, iamtypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(m[k])})
	}
	return out
}

// --- KMS

// applyKey creates the key with its policy (the lockout safety check on),
// names it with its alias (the key resource's Name: it is how observe finds
// the key again) and turns rotation on.
func (c *Cloud) applyKey(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	k := kms.NewFromConfig(c.cfg(r.Account, r.Region))
	if action == ActionCreate {
		in := &kms.CreateKeyInput{
			Policy:                         sdkaws.String(want.Settings[desired.SetPolicy]),
			BypassPolicyLockoutSafetyCheck: false,
			Tags:                           kmsTags(c.withOwnTag(want.Tags)),
		}
		if d := want.Settings[desired.SetDescription]; d != "" {
			in.Description = sdkaws.String(d)
		}
		out, err := k.CreateKey(ctx, in)
		if err != nil {
			return fmt.Errorf("create key: %w", err)
		}
		id := out.KeyMetadata.KeyId
		if err := nameKey(ctx, k, r.Name, id); err != nil {
			return err
		}
		if want.Settings[desired.SetKeyRotation] != "false" {
			if _, err := k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id}); err != nil {
				return fmt.Errorf("enable key rotation: %w", err)
			}
		}
		return nil
	}
	keyID := sdkaws.String(have.Ref)
	tags, err := c.keyTags(ctx, k, have.Ref)
	if err != nil {
		return fmt.Errorf("recheck ownership: %w", err)
	}
	if !c.owned(tags) {
		return notOwned("the key")
	}
	if action == ActionDelete {
		if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: keyID, PendingWindowInDays: sdkaws.Int32(KeyDeletionDays)}); err != nil {
			return fmt.Errorf("schedule key deletion: %w", err)
		}
		return nil
	}
	if want.Settings[desired.SetPolicy] != have.Settings[desired.SetPolicy] {
		if _, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: keyID, PolicyName: sdkaws.String("default"), Policy: sdkaws.String(want.Settings[desired.SetPolicy]), BypassPolicyLockoutSafetyCheck: false}); err != nil {
			return fmt.Errorf("put key policy: %w", err)
		}
	}
	if w := want.Settings[desired.SetKeyRotation]; w != have.Settings[desired.SetKeyRotation] {
		if w == "false" {
			_, err = k.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: keyID})
		} else {
			_, err = k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: keyID})
		}
		if err != nil {
			return fmt.Errorf("set key rotation: %w", err)
		}
	}
	if missing := missingTags(want.Tags, tags); len(missing) > 0 {
		if _, err := k.TagResource(ctx, &kms.TagResourceInput{KeyId: keyID, Tags: kmsTags(missing)}); err != nil {
			return fmt.Errorf("tag key: %w", err)
		}
	}
	return nil
}

func kmsTags(m map[string]string) []kmstypes.Tag {
	var out []kmstypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, kmstypes.Tag{TagKey: sdkaws.String(k), TagValue: sdkaws.String(m[k])})
	}
	return out
}

// aliasTarget returns the key an alias name points at, "" when none.
func aliasTarget(ctx context.Context, k *kms.Client, alias string) (string, error) {
	p := kms.NewListAliasesPaginator(k, &kms.ListAliasesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list aliases: %w", err)
		}
		for _, a := range page.Aliases {
			if sdkaws.ToString(a.AliasName) == alias {
				return sdkaws.ToString(a.TargetKeyId), nil
			}
		}
	}
	return "", nil
}

// nameKey gives a new key its alias. Keys are found by their alias: an
// unnamed one would be invisible to the next plan, which would create
// another, so when naming fails the key is scheduled for deletion, even if
// ctx was cancelled meanwhile. A retried CreateAlias whose first attempt
// succeeded answers AlreadyExists: the alias naming this key is success.
func nameKey(ctx context.Context, k *kms.Client, alias string, id *string) error {
	_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: sdkaws.String(alias), TargetKeyId: id})
	if err == nil {
		return nil
	}
	if isCode(err, "AlreadyExistsException") {
		if cur, lerr := aliasTarget(ctx, k, alias); lerr == nil && cur == sdkaws.ToString(id) {
			return nil
		}
	}
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, derr := k.ScheduleKeyDeletion(cleanup, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: sdkaws.Int32(KeyDeletionDays)}); derr != nil {
		return fmt.Errorf("name the key %s: %w (and the unnamed key %s could not be scheduled for deletion: %v)", alias, err, sdkaws.ToString(id), derr)
	}
	return fmt.Errorf("name the key %s: %w (the unnamed key %s is scheduled for deletion)", alias, err, sdkaws.ToString(id))
}

// applyAlias points an alias at the key named by TargetKey. KMS aliases
// take no tags: the alias is owned through its key (W5).
func (c *Cloud) applyAlias(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	k := kms.NewFromConfig(c.cfg(r.Account, r.Region))
	var keyID string
	if want != nil {
		target := want.Settings[desired.SetTargetKey]
		id, err := aliasTarget(ctx, k, target)
		if err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("key %s not found", target)
		}
		keyID = id
		tags, err := c.keyTags(ctx, k, keyID)
		if err != nil {
			return fmt.Errorf("check the key's ownership: %w", err)
		}
		if !c.owned(tags) {
			return notOwned("the key " + target)
		}
	}
	if action == ActionCreate {
		// The key's own name was created with the key.
		if cur, err := aliasTarget(ctx, k, r.Name); err != nil || cur == keyID {
			return err
		}
		if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: sdkaws.String(r.Name), TargetKeyId: sdkaws.String(keyID)}); err != nil {
			return fmt.Errorf("create alias: %w", err)
		}
		return nil
	}
	// Update or delete: the alias must still point at an owned key.
	cur, err := aliasTarget(ctx, k, r.Name)
	if err != nil {
		return err
	}
	if cur == "" {
		if action == ActionDelete {
			return nil
		}
		return errors.New("the alias is gone")
	}
	tags, err := c.keyTags(ctx, k, cur)
	if err != nil {
		return fmt.Errorf("recheck ownership: %w", err)
	}
	if !c.owned(tags) {
		return notOwned("the alias's key")
	}
	if action == ActionDelete {
		if _, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: sdkaws.String(r.Name)}); err != nil {
			return fmt.Errorf("delete alias: %w", err)
		}
		return nil
	}
	if _, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: sdkaws.String(r.Name), TargetKeyId: sdkaws.String(keyID)}); err != nil {
		return fmt.Errorf("update alias: %w", err)
	}
	return nil
}

// --- SQS

// deliveryDLQEmpty refuses to delete a delivery dead-letter queue (a
// retired region's) while it holds events that never reached the hub: the
// event digest reports and removes them (W4), and a later apply deletes
// the queue.
// It reads the queue again at delete time, as ownership is re-read: events
// may have arrived since the plan.
func deliveryDLQEmpty(ctx context.Context, q *sqs.Client, url *string) error {
	counts := []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}
	out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: counts})
	if err != nil {
		return fmt.Errorf("count its messages: %w", err)
	}
	held := 0
	for _, k := range counts {
		n, _ := strconv.Atoi(out.Attributes[string(k)])
		held += n
	}
	if held > 0 {
		return fmt.Errorf("the queue still holds %d undelivered event(s): left until `orgnotify digest events` has reported them; the next apply deletes it", held)
	}
	return nil
}

func (c *Cloud) applyQueue(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	q := sqs.NewFromConfig(c.cfg(r.Account, r.Region))
	if action == ActionCreate {
		attrs := map[string]string{}
		for k := range queueAttributes {
			if v := want.Settings[k]; v != "" {
				attrs[k] = v
			}
		}
		if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String(r.Name), Attributes: attrs, Tags: c.withOwnTag(want.Tags)}); err != nil {
			return fmt.Errorf("create queue: %w", err)
		}
		return nil
	}
	url := sdkaws.String(have.Ref)
	tags, err := q.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil {
		return fmt.Errorf("recheck ownership: %w", err)
	}
	if !c.owned(tags.Tags) {
		return notOwned("the queue")
	}
	if action == ActionDelete {
		if r.Name == desired.DeliveryDLQOf(c.layout.Prefix) {
			if err := deliveryDLQEmpty(ctx, q, url); err != nil {
				return err
			}
		}
		if _, err := q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: url}); err != nil {
			return fmt.Errorf("delete queue: %w", err)
		}
		return nil
	}
	attrs := map[string]string{}
	for k := range queueAttributes {
		if v, ok := want.Settings[k]; ok && v != have.Settings[k] {
			attrs[k] = v
		}
	}
	if len(attrs) > 0 {
		if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: attrs}); err != nil {
			return fmt.Errorf("set queue attributes: %w", err)
		}
	}
	if missing := missingTags(want.Tags, tags.Tags); len(missing) > 0 {
		if _, err := q.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: missing}); err != nil {
			return fmt.Errorf("tag queue: %w", err)
		}
	}
	return nil
}

// --- SNS

var topicAttributes = []string{desired.SetPolicy, desired.SetKMSKey}

func (c *Cloud) applyTopic(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	t := sns.NewFromConfig(c.cfg(r.Account, r.Region))
	if action == ActionCreate {
		attrs := map[string]string{}
		for _, k := range topicAttributes {
			if v := want.Settings[k]; v != "" {
				attrs[k] = v
			}
		}
		if _, err := t.CreateTopic(ctx, &sns.CreateTopicInput{Name: sdkaws.String(r.Name), Attributes: attrs, Tags: snsTags(c.withOwnTag(want.Tags))}); err != nil {
			return fmt.Errorf("create topic: %w", err)
		}
		return nil
	}
	topicARN := sdkaws.String(have.Ref)
	tags, err := c.topicTags(ctx, t, have.Ref)
	if err != nil {
		return fmt.Errorf("recheck ownership: %w", err)
	}
	if !c.owned(tags) {
		return notOwned("the topic")
	}
	if action == ActionDelete {
		if _, err := t.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topicARN}); err != nil {
			return fmt.Errorf("delete topic: %w", err)
		}
		return nil
	}
	for _, k := range topicAttributes {
		if v, ok := want.Settings[k]; ok && v != have.Settings[k] {
			if _, err := t.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topicARN, AttributeName: sdkaws.String(k), AttributeValue: sdkaws.String(v)}); err != nil {
				return fmt.Errorf("set topic %s: %w", k, err)
			}
		}
	}
	if missing := missingTags(want.Tags, tags); len(missing) > 0 {
		if _, err := t.TagResource(ctx, &sns.TagResourceInput{ResourceArn: topicARN, Tags: snsTags(missing)}); err != nil {
			return fmt.Errorf("tag topic: %w", err)
		}
	}
	return nil
}

func snsTags(m map[string]string) []snstypes.Tag {
	var out []snstypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, snstypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(m[k])})
	}
	return out
}

// applySubscription subscribes with ReturnSubscriptionArn, so a confirmed
// (SQS) subscription gets its ARN at once and an email or HTTPS one is
// pending (W6). A subscription takes no tags: it is owned through its topic.
func (c *Cloud) applySubscription(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	t := sns.NewFromConfig(c.cfg(r.Account, r.Region))
	topicARN := r.Settings[desired.SetTopicARN]
	tags, err := c.topicTags(ctx, t, topicARN)
	if err != nil {
		return fmt.Errorf("check the topic's ownership: %w", err)
	}
	if !c.owned(tags) {
		return notOwned("the topic")
	}
	switch action {
	case ActionCreate:
		attrs := map[string]string{}
		if f := want.Settings[desired.SetFilterPolicy]; f != "" {
			attrs[desired.SetFilterPolicy] = f
			if s := want.Settings[desired.SetFilterPolicyScope]; s != "" {
				attrs[desired.SetFilterPolicyScope] = s
			}
		}
		if _, err := t.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn:              sdkaws.String(topicARN),
			Protocol:              sdkaws.String(want.Settings[desired.SetProtocol]),
			Endpoint:              sdkaws.String(want.Settings[desired.SetEndpoint]),
			Attributes:            attrs,
			ReturnSubscriptionArn: true,
		}); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		return nil
	case ActionDelete:
		if have.Pending || have.Ref == "" {
			return errors.New("a pending subscription cannot be removed until it is confirmed or expires (48 hours)")
		}
		if _, err := t.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sdkaws.String(have.Ref)}); err != nil && !isCode(err, "NotFound") {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		return nil
	}
	if have.Pending || have.Ref == "" {
		return errors.New("a pending subscription cannot be changed until it is confirmed")
	}
	// The scope applies to a filter policy: set the policy first.
	for _, k := range []string{desired.SetFilterPolicy, desired.SetFilterPolicyScope} {
		v := want.Settings[k]
		if v == have.Settings[k] {
			continue
		}
		if v == "" && k == desired.SetFilterPolicyScope {
			continue
		}
		if _, err := t.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: sdkaws.String(have.Ref), AttributeName: sdkaws.String(k), AttributeValue: sdkaws.String(v)}); err != nil {
			return fmt.Errorf("set subscription %s: %w", k, err)
		}
	}
	return nil
}

// --- EventBridge

func (c *Cloud) applyBus(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	eb := eventbridge.NewFromConfig(c.cfg(r.Account, r.Region))
	name := sdkaws.String(r.Name)
	if action == ActionCreate {
		in := &eventbridge.CreateEventBusInput{Name: name, Tags: ebTags(c.withOwnTag(want.Tags))}
		if d := want.Settings[desired.SetDescription]; d != "" {
			in.Description = sdkaws.String(d)
		}
		if _, err := eb.CreateEventBus(ctx, in); err != nil {
			return fmt.Errorf("create bus: %w", err)
		}
		if p := want.Settings[desired.SetPolicy]; p != "" {
			if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: name, Policy: sdkaws.String(p)}); err != nil {
				return fmt.Errorf("put bus policy: %w", err)
			}
		}
		return nil
	}
	tags, err := c.ruleTags(ctx, eb, have.Ref)
	if err != nil {
		return fmt.Errorf("recheck ownership: %w", err)
	}
	if !c.owned(tags) {
		return notOwned("the bus")
	}
	if action == ActionDelete {
		if _, err := eb.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: name}); err != nil {
			return fmt.Errorf("delete bus: %w", err)
		}
		return nil
	}
	if p := want.Settings[desired.SetPolicy]; p != have.Settings[desired.SetPolicy] {
		if p == "" {
			_, err = eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: name, RemoveAllPermissions: true})
		} else {
			_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: name, Policy: sdkaws.String(p)})
		}
		if err != nil {
			return fmt.Errorf("put bus policy: %w", err)
		}
	}
	if missing := missingTags(want.Tags, tags); len(missing) > 0 {
		if _, err := eb.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: sdkaws.String(have.Ref), Tags: ebTags(missing)}); err != nil {
			return fmt.Errorf("tag bus: %w", err)
		}
	}
	return nil
}

func ebTags(m map[string]string) []ebtypes.Tag {
	var out []ebtypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, ebtypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(m[k])})
	}
	return out
}

// applyRule writes the rule and its targets; a rule is deleted only after
// its targets are removed, as EventBridge requires.
func (c *Cloud) applyRule(ctx context.Context, action string, want, have *desired.Resource) error {
	r := pick(want, have)
	eb := eventbridge.NewFromConfig(c.cfg(r.Account, r.Region))
	bus := r.Settings[desired.SetEventBusName]
	if bus == "" {
		bus = "default"
	}
	name := sdkaws.String(r.Name)
	var tags map[string]string
	if action != ActionCreate {
		var err error
		if tags, err = c.ruleTags(ctx, eb, have.Ref); err != nil {
			if action == ActionDelete && isCode(err, "ResourceNotFoundException") {
				return nil
			}
			return fmt.Errorf("recheck ownership: %w", err)
		}
		if !c.owned(tags) {
			return notOwned("the rule")
		}
	}
	var current []ebtypes.Target
	if action != ActionCreate {
		var err error
		if current, err = listTargets(ctx, eb, r.Name, bus); err != nil {
			return fmt.Errorf("list targets: %w", err)
		}
	}
	if action == ActionDelete {
		if err := removeTargets(ctx, eb, r.Name, bus, current, nil); err != nil {
			return err
		}
		if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: name, EventBusName: sdkaws.String(bus)}); err != nil {
			return fmt.Errorf("delete rule: %w", err)
		}
		return nil
	}
	in := &eventbridge.PutRuleInput{
		Name:         name,
		EventBusName: sdkaws.String(bus),
		EventPattern: sdkaws.String(want.Settings[desired.SetEventPattern]),
		State:        ebtypes.RuleStateEnabled,
	}
	if s := want.Settings[desired.SetState]; s != "" {
		in.State = ebtypes.RuleState(s)
	}
	if d := want.Settings[desired.SetDescription]; d != "" {
		in.Description = sdkaws.String(d)
	}
	if action == ActionCreate {
		in.Tags = ebTags(c.withOwnTag(want.Tags))
	}
	out, err := eb.PutRule(ctx, in)
	if err != nil {
		return fmt.Errorf("put rule: %w", err)
	}
	if action == ActionUpdate {
		if missing := missingTags(want.Tags, tags); len(missing) > 0 {
			if _, err := eb.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: out.RuleArn, Tags: ebTags(missing)}); err != nil {
				return fmt.Errorf("tag rule: %w", err)
			}
		}
	}
	targets, err := decodeTargets(want.Settings[desired.SetTargets])
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	var put []ebtypes.Target
	for _, t := range targets {
		keep[t.ID] = true
		put = append(put, t.sdk())
	}
	if err := removeTargets(ctx, eb, r.Name, bus, current, keep); err != nil {
		return err
	}
	if len(put) == 0 || encodeTargets(put) == encodeTargets(current) {
		return nil
	}
	res, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: name, EventBusName: sdkaws.String(bus), Targets: put})
	if err != nil {
		return fmt.Errorf("put targets: %w", err)
	}
	if res.FailedEntryCount > 0 {
		e := res.FailedEntries[0]
		return fmt.Errorf("put target %s: %s: %s", sdkaws.ToString(e.TargetId), sdkaws.ToString(e.ErrorCode), sdkaws.ToString(e.ErrorMessage))
	}
	return nil
}

// removeTargets removes the current targets whose ID keep lacks.
func removeTargets(ctx context.Context, eb *eventbridge.Client, rule, bus string, current []ebtypes.Target, keep map[string]bool) error {
	var ids []string
	for _, t := range current {
		if !keep[sdkaws.ToString(t.Id)] {
			ids = append(ids, sdkaws.ToString(t.Id))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	out, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: sdkaws.String(rule), EventBusName: sdkaws.String(bus), Ids: ids})
	if err != nil {
		return fmt.Errorf("remove targets: %w", err)
	}
	if out.FailedEntryCount > 0 {
		e := out.FailedEntries[0]
		return fmt.Errorf("remove target %s: %s: %s", sdkaws.ToString(e.TargetId), sdkaws.ToString(e.ErrorCode), sdkaws.ToString(e.ErrorMessage))
	}
	return nil
}

// --- small pieces

func pick(want, have *desired.Resource) *desired.Resource {
	if want != nil {
		return want
	}
	return have
}

// missingTags returns the tags of want that have lacks or holds with
// another value. Tags orgnotify did not set are left in place.
func missingTags(want, have map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range want {
		if have[k] != v {
			out[k] = v
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
