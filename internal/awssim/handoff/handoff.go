// Package handoff holds what one simulated service hands another and the
// questions it asks another before acting: deliveries (EventBridge to SQS,
// SNS and buses; SNS to SQS), KMS key use, IAM role use and organization
// membership. Service packages implement and use these interfaces without
// importing each other.
package handoff

import (
	"context"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Delivery is one message handed from one simulated service to another:
// EventBridge to an SQS queue, SNS topic or event bus; SNS to an SQS queue.
// The receiving service checks its resource policy (and the KMS key policy,
// when the resource is encrypted) against the sending service principal,
// as AWS does.
type Delivery struct {
	TargetARN     string
	Body          string
	FromService   string // service principal: "events.amazonaws.com", "sns.amazonaws.com"
	SourceARN     string // the rule or topic that sends; aws:SourceArn in policies
	SourceAccount string // aws:SourceAccount in policies
	// Attributes are SNS message attributes carried to SQS, when any.
	Attributes map[string]string
}

// SourceCondition is the policy condition context of a service acting for
// a resource: aws:SourceArn and aws:SourceAccount, those that are set.
func SourceCondition(sourceARN, sourceAccount string) map[string]string {
	ctx := map[string]string{}
	if sourceARN != "" {
		ctx["aws:SourceArn"] = sourceARN
	}
	if sourceAccount != "" {
		ctx["aws:SourceAccount"] = sourceAccount
	}
	return ctx
}

// Condition is the policy condition context of a delivery.
func (d Delivery) Condition() map[string]string { return SourceCondition(d.SourceARN, d.SourceAccount) }

// KeyUse is what a delivery to a resource encrypted with keyRef asks of
// KMS: the sender encrypts for the resource, so it needs the data key under
// its own service principal, through the service that holds the resource.
func (d Delivery) KeyUse(keyRef, account, region, via string) KeyUse {
	return KeyUse{
		KeyRef: keyRef, Account: account, Region: region, FromService: d.FromService,
		Actions: []string{"kms:GenerateDataKey", "kms:Decrypt"}, SourceARN: d.SourceARN, ViaService: via,
	}
}

// AuthorizeKey asks keys (nil when no KMS is simulated) whether the
// delivery may use keyRef ("" for an unencrypted resource) for a resource
// of account and region that service via holds. A refusal comes back as
// KMS's error with its code as via's API words it (code).
func (d Delivery) AuthorizeKey(ctx context.Context, keys KeyAuthorizer, keyRef, account, region, via string, code func(kmsCode string) string) error {
	if keyRef == "" || keys == nil {
		return nil
	}
	if err := keys.AuthorizeKeyUse(ctx, d.KeyUse(keyRef, account, region, via)); err != nil {
		e := wire.AsError(err)
		return &wire.Error{Code: code(e.Code), Status: e.Status, Message: e.Message}
	}
	return nil
}

// Deliverer accepts deliveries for the resources of one service.
type Deliverer interface {
	Deliver(ctx context.Context, d Delivery) error
}

// KeyUse asks whether a service principal may use a KMS key for a
// resource encrypted with it.
type KeyUse struct {
	KeyRef      string // key ID, key ARN, alias name ("alias/x") or alias ARN
	Account     string // account that owns the encrypted resource
	Region      string
	FromService string   // "events.amazonaws.com", "sns.amazonaws.com"
	Actions     []string // "kms:GenerateDataKey", "kms:Decrypt"
	SourceARN   string
	// ViaService is the service that holds the encrypted resource and calls
	// KMS for it ("sns", "sqs"); it sets kms:ViaService. Optional.
	ViaService string
}

// KeyAuthorizer answers KeyUse questions; the KMS simulator implements it.
// It returns nil when the key exists, is enabled and its policy allows the use.
type KeyAuthorizer interface {
	AuthorizeKeyUse(ctx context.Context, u KeyUse) error
}

// OrgLookup tells which organization an account belongs to, for the
// aws:PrincipalOrgID condition key.
type OrgLookup interface {
	OrgIDOf(account string) (string, bool)
}

// RoleUse asks whether a service may assume a role and, acting as the
// role, perform Action on Resource: what EventBridge checks for a target
// with a RoleArn.
type RoleUse struct {
	RoleARN       string
	FromService   string // "events.amazonaws.com"
	SourceAccount string // aws:SourceAccount in the trust policy
	SourceARN     string // aws:SourceArn in the trust policy
	Action        string // "events:PutEvents"
	Resource      string // the ARN acted on
}

// RoleAuthorizer answers RoleUse questions; the IAM simulator implements
// it. It returns the session principal the service acts as
// ("arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION"), or an error saying
// why the role cannot be used.
type RoleAuthorizer interface {
	AuthorizeRoleUse(ctx context.Context, u RoleUse) (string, error)
}
