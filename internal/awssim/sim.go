package awssim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/orgnotify/orgnotify/internal/awssim/cloudtrail"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
	"github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/iam"
	"github.com/orgnotify/orgnotify/internal/awssim/kms"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/awssim/servicecatalog"
	"github.com/orgnotify/orgnotify/internal/awssim/sns"
	"github.com/orgnotify/orgnotify/internal/awssim/sqs"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Seed is the state the simulator starts with: the organization, the cost
// dataset and the CloudTrail events. YAML or JSON.
type Seed struct {
	Organization org.Seed              `json:"organization" yaml:"organization"`
	Costs        []costexplorer.Record `json:"costs,omitempty" yaml:"costs,omitempty"`
	Events       []cloudtrail.Event    `json:"events,omitempty" yaml:"events,omitempty"`
	// ProvisionedProducts are Service Catalog products provisioned in member accounts.
	ProvisionedProducts []servicecatalog.ProvisionedProduct `json:"provisionedProducts,omitempty" yaml:"provisionedProducts,omitempty"`
}

// LoadSeed reads a seed file. Unknown fields are errors naming their line,
// so a typo in a seed does not silently start an empty organization; so are
// an empty file and a second YAML document, which would be ignored.
func LoadSeed(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read seed: %w", err)
	}
	return ParseSeed(path, b)
}

// ParseSeed reads a seed from b, read from the file path, as LoadSeed does.
func ParseSeed(path string, b []byte) (Seed, error) {
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(b)) // YAML is a superset of JSON
	dec.KnownFields(true)
	switch err := dec.Decode(&s); {
	case errors.Is(err, io.EOF):
		return s, fmt.Errorf("parse seed %s: the file holds no YAML document", path)
	case err != nil:
		return s, fmt.Errorf("parse seed %s: %w", path, seedError(err))
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("parse seed %s: %w", path, seedError(err))
	default:
		return s, fmt.Errorf("parse seed %s: line %d: a second YAML document; a seed is one document", path, extra.Line)
	}
}

// seedError puts yaml.v3's list of decoding errors ("line 7: field servce
// not found in type costexplorer.Record") on one line.
func seedError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return err
}

// Sim is a whole simulated AWS: the router and every service's state.
type Sim struct {
	*Server
	Org          *org.Store
	KMS          *kms.Store
	SQS          *sqs.Store
	SNS          *sns.Store
	EventBridge  *eventbridge.Store
	CostExplorer *costexplorer.Store
	CloudTrail   *cloudtrail.Store
	IAM          *iam.Store
	// ServiceCatalog holds provisioned products (SearchProvisionedProducts).
	ServiceCatalog *servicecatalog.Store
}

// New builds a simulator from a seed.
func New(seed Seed, log *slog.Logger) (*Sim, error) {
	o, err := org.New(seed.Organization)
	if err != nil {
		return nil, fmt.Errorf("seed organization: %w", err)
	}
	ce, err := costexplorer.New(seed.Costs)
	if err != nil {
		return nil, fmt.Errorf("seed costs: %w", err)
	}
	// As in AWS, only the management (payer) account sees every account's
	// costs, and Cost Explorer knows the accounts by their organization names.
	ce.SetPayer(o.ManagementAccount())
	ce.SetAccountNames(o.AccountNames())
	ct, err := cloudtrail.New(seed.Events)
	if err != nil {
		return nil, fmt.Errorf("seed events: %w", err)
	}
	ct.SetOrganization(o, o.ManagementAccount())
	roles := iam.New()
	k := kms.New()
	q := sqs.New(k)
	t := sns.New(q, k, o)
	eb := eventbridge.New(eventbridge.Targets{SQS: q, SNS: t, Roles: roles}, o)
	eb.SetTrails(ct)

	s := &Sim{Server: NewServer(o, log), Org: o, KMS: k, SQS: q, SNS: t, EventBridge: eb, CostExplorer: ce, CloudTrail: ct, IAM: roles}
	if s.ServiceCatalog, err = servicecatalog.New(seed.ProvisionedProducts); err != nil {
		return nil, fmt.Errorf("seed provisioned products: %w", err)
	}
	for _, svc := range []wire.Service{o.Organizations(), o.STS(), k.Service(), q.Service(), t.Service(), eb.Service(),
		ce.Service(), ct.Service(), roles.Service(), s.ServiceCatalog.Service()} {
		s.Register(svc)
	}
	s.HandleAdmin("failed-invocations", s.failedInvocations)
	s.HandleAdmin("sns/confirm", postJSON(s.snsConfirm))
	s.HandleAdmin("events", postJSON(s.serviceEvent))
	return s, nil
}

// SetClock replaces the clock of the router (Request.Now) and of credential
// expiry, so tests can move time forward.
func (s *Sim) SetClock(now func() time.Time) {
	for _, c := range []interface{ SetClock(func() time.Time) }{s.Server, s.Org, s.KMS, s.SQS, s.SNS, s.IAM, s.CloudTrail} {
		c.SetClock(now)
	}
}
