// Package desired turns the validated configuration into the AWS resources
// that should exist across the organization. It is pure: no AWS calls, no
// clock, no randomness, so the same configuration always gives the same
// sorted list, and the plan can be computed and tested without a network.
//
// Desired and observed state share the Resource type, so one diff (package
// plan) serves every kind.
package desired

import (
	"fmt"
	"sort"
)

// Kind is a resource type, named service.type.
type Kind string

// The kinds orgnotify manages, in the order apply creates them: a role
// before the rules whose targets use it, the key before what it encrypts,
// queues (dead-letter queues first, see Less) before the topic that
// subscribes them, the bus before the rules on it.
const (
	IAMRole         Kind = "iam.role"
	KMSKey          Kind = "kms.key"
	KMSAlias        Kind = "kms.alias"
	SQSQueue        Kind = "sqs.queue"
	SNSTopic        Kind = "sns.topic"
	SNSSubscription Kind = "sns.subscription"
	EventBus        Kind = "events.bus"
	EventRule       Kind = "events.rule"
)

// Kinds lists every kind in creation order.
var Kinds = []Kind{IAMRole, KMSKey, KMSAlias, SQSQueue, SNSTopic, SNSSubscription, EventBus, EventRule}

// Rank is the position of k in creation order; deletes run in reverse.
func (k Kind) Rank() int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// Taggable reports whether AWS lets the kind carry tags. KMS aliases and SNS
// subscriptions do not (AWS-WIRING W5): they are owned through the key and
// the topic they belong to.
func (k Kind) Taggable() bool { return k != KMSAlias && k != SNSSubscription }

// Global is the Region of resources that have none (IAM).
const Global = ""

// ID is a resource's stable identity.
type ID struct {
	Account string `json:"account"` // 12-digit account the resource lives in
	Region  string `json:"region"`  // "" for IAM roles
	Kind    Kind   `json:"kind"`
	// Name is the resource's AWS name: the rule, topic, queue, bus or role
	// name, the key's alias ("alias/..."), or for a subscription
	// "<topic>/<protocol>:<endpoint>".
	Name string `json:"name"`
}

func (id ID) String() string {
	region := id.Region
	if region == Global {
		region = "global"
	}
	return fmt.Sprintf("%s %s/%s %s", id.Kind, id.Account, region, id.Name)
}

// Resource is one AWS resource, desired or observed.
type Resource struct {
	ID
	// Settings are the attributes the plan compares, keyed by the Set*
	// constants. JSON documents (policies, patterns, targets) are stored in
	// canonical form (CanonicalJSON), so equal documents are equal strings.
	Settings map[string]string `json:"settings"`
	// Tags the resource carries (taggable kinds only).
	Tags map[string]string `json:"tags,omitempty"`

	// Observed state only.
	//
	// Ref is the physical identifier apply needs for an update or delete:
	// the key ID, the queue URL, the subscription ARN.
	Ref string `json:"-"`
	// Foreign marks an observed resource with an expected name that does
	// not carry the ownership tag (or, for untaggable kinds, does not
	// belong to an owned key or topic): a conflict, never changed.
	Foreign bool `json:"-"`
	// Pending marks a subscription waiting for its endpoint to confirm
	// (AWS-WIRING W6): a state, not a change.
	Pending bool `json:"-"`
}

// Settings keys. A kind uses the subset that applies to it.
const (
	SetDescription = "Description"
	// SetPolicy is the resource policy: the key policy, topic, queue and bus policies.
	SetPolicy = "Policy"
	// SetKeyRotation is "true" when automatic key rotation is on.
	SetKeyRotation = "KeyRotation"
	// SetTargetKey is the alias's key, named by the key resource's Name.
	SetTargetKey = "TargetKey"
	// SetKMSKey is the key encrypting a topic or queue, as an alias name.
	SetKMSKey = "KmsMasterKeyId"
	// SetSQSManagedSSE is "true" for queues encrypted with SQS-owned keys.
	SetSQSManagedSSE          = "SqsManagedSseEnabled"
	SetRedrivePolicy          = "RedrivePolicy"
	SetMessageRetentionPeriod = "MessageRetentionPeriod"
	SetVisibilityTimeout      = "VisibilityTimeout"
	// Subscription settings.
	SetTopicARN          = "TopicArn"
	SetProtocol          = "Protocol"
	SetEndpoint          = "Endpoint"
	SetFilterPolicy      = "FilterPolicy"
	SetFilterPolicyScope = "FilterPolicyScope"
	// Rule settings. SetTargets is a JSON array of targets sorted by Id,
	// each with Id, Arn and where used RoleArn, DeadLetterConfig, RetryPolicy.
	SetEventBusName = "EventBusName"
	SetEventPattern = "EventPattern"
	SetState        = "State"
	SetTargets      = "Targets"
	// Role settings. Inline policies are keyed SetInlinePolicyPrefix+name.
	SetTrustPolicy        = "AssumeRolePolicyDocument"
	SetInlinePolicyPrefix = "InlinePolicy/"
)

// Less orders resources deterministically: by account, region, kind rank,
// then name. Dead-letter queues are named <queue>-dlq or *delivery-dlq and
// need no special rank: a queue's redrive target is created in the same
// pass before the queue that refers to it (see reconcile).
func Less(a, b ID) bool {
	if a.Account != b.Account {
		return a.Account < b.Account
	}
	if a.Region != b.Region {
		return a.Region < b.Region
	}
	if a.Kind != b.Kind {
		return a.Kind.Rank() < b.Kind.Rank()
	}
	return a.Name < b.Name
}

// Sort sorts resources with Less.
func Sort(rs []Resource) {
	sort.Slice(rs, func(i, j int) bool { return Less(rs[i].ID, rs[j].ID) })
}
