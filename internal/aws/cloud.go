package aws

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// Layout is what the cloud needs to know about the organization to find
// orgnotify's resources cheaply: where the hub lives, the names of the
// singletons there, and how ownership is marked.
type Layout struct {
	Prefix   string // name prefix every owned resource carries
	TagKey   string // ownership tag
	TagValue string

	Hub        string // hub account ID
	HomeRegion string // hub region: key, queues, topic, bus
	Management string // management account ID
	OrgRegion  string // organizationsRegion; also where IAM is called
	Topic      string // hub topic name
	Bus        string // hub bus name
}

// RolePath is the IAM path of orgnotify's roles: one ListRoles call with
// this PathPrefix finds them all.
const RolePath = desired.RolePath

// Cloud observes and changes orgnotify's resources in every account of the
// organization. It implements the interfaces package reconcile declares.
type Cloud struct {
	sessions *Sessions
	layout   Layout

	// ruleCounts holds, per bus, how many rules the last observation of it
	// listed (everyone's, not only orgnotify's), so CountRules needs no
	// second listing.
	countsMu   sync.Mutex
	ruleCounts map[busKey]int
}

type busKey struct{ account, region, bus string }

var _ reconcile.Cloud = (*Cloud)(nil)

// NewCloud returns a cloud acting through sessions.
func NewCloud(s *Sessions, l Layout) *Cloud {
	if l.OrgRegion == "" {
		l.OrgRegion = "us-east-1"
	}
	return &Cloud{sessions: s, layout: l, ruleCounts: map[busKey]int{}}
}

// ErrNotOwned is returned (wrapped) when a resource lost the ownership tag
// between plan and apply: it is skipped, never changed.
var ErrNotOwned = errors.New("not owned by orgnotify")

func (c *Cloud) cfg(account, region string) sdkaws.Config {
	return c.sessions.Config(account, region)
}

// owned reports whether tags carry the ownership tag.
func (c *Cloud) owned(tags map[string]string) bool {
	v, ok := tags[c.layout.TagKey]
	return ok && v == c.layout.TagValue
}

// ownTag is the ownership tag as a map, merged into a resource's tags on
// create so nothing orgnotify creates can lack it.
func (c *Cloud) withOwnTag(tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		out[k] = v
	}
	out[c.layout.TagKey] = c.layout.TagValue
	return out
}

func arn(region, service, account, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", desired.Partition(region), service, region, account, resource)
}

// canonical returns doc in canonical form; "" stays "".
func canonical(doc string, kind desired.Doc) (string, error) {
	if strings.TrimSpace(doc) == "" {
		return "", nil
	}
	return desired.CanonicalJSON(doc, kind)
}

// decodeIAM undoes IAM's URL encoding of policy documents.
func decodeIAM(doc string) (string, error) {
	if !strings.HasPrefix(strings.TrimSpace(doc), "%") && strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc, nil
	}
	s, err := url.PathUnescape(doc)
	if err != nil {
		return "", fmt.Errorf("decode IAM policy document: %w", err)
	}
	return s, nil
}

// errCode is the AWS error code of err, "" when it is not an API error.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func isCode(err error, codes ...string) bool {
	c := errCode(err)
	for _, x := range codes {
		if c == x {
			return true
		}
	}
	return false
}

// IsAccessDenied reports whether err is AWS refusing the caller, as when
// memberRole cannot be assumed in an account.
func IsAccessDenied(err error) bool {
	return isCode(err, "AccessDenied", "AccessDeniedException", "AuthorizationError", "AuthorizationErrorException", "UnauthorizedOperation")
}
