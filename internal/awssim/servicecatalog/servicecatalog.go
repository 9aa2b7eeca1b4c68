// Package servicecatalog simulates the part of AWS Service Catalog that
// orgnotify's event digest calls: SearchProvisionedProducts, to name the
// provisioned product (and its version) behind a failed
// "SC-<account>-pp-<id>" CloudFormation stack (AWS-WIRING W16).
//
// Provisioned products live per account and region. As in AWS, the access
// level decides what a caller sees: "User" (the default) only products the
// caller itself provisioned, "Role" those provisioned under the caller's
// role, "Account" every product of the account. A digest that forgets
// AccessLevelFilter Account therefore finds nothing, as it would in AWS.
package servicecatalog

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// ProvisionedProduct is one seeded provisioned product.
type ProvisionedProduct struct {
	Account string `json:"account" yaml:"account"`
	Region  string `json:"region" yaml:"region"`
	ID      string `json:"id" yaml:"id"` // pp-xxxxxxxxxxxxx
	Name    string `json:"name" yaml:"name"`
	// PhysicalID is the CloudFormation stack ARN for CFN_STACK products.
	PhysicalID               string `json:"physicalId" yaml:"physicalId"`
	Type                     string `json:"type,omitempty" yaml:"type,omitempty"`     // CFN_STACK when empty
	Status                   string `json:"status,omitempty" yaml:"status,omitempty"` // AVAILABLE when empty
	ProductID                string `json:"productId,omitempty" yaml:"productId,omitempty"`
	ProductName              string `json:"productName,omitempty" yaml:"productName,omitempty"`
	ProvisioningArtifactID   string `json:"provisioningArtifactId,omitempty" yaml:"provisioningArtifactId,omitempty"`
	ProvisioningArtifactName string `json:"provisioningArtifactName,omitempty" yaml:"provisioningArtifactName,omitempty"`
	// UserArn is who provisioned it (an IAM user or an assumed-role ARN).
	UserArn   string    `json:"userArn,omitempty" yaml:"userArn,omitempty"`
	CreatedAt time.Time `json:"createdTime,omitempty" yaml:"createdTime,omitempty"`
}

type scope struct{ account, region string }

// Store holds provisioned products; safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	products map[scope][]ProvisionedProduct
}

// New returns a store with the seeded products.
func New(seed []ProvisionedProduct) (*Store, error) {
	s := &Store{products: map[scope][]ProvisionedProduct{}}
	for i, p := range seed {
		if err := s.Add(p); err != nil {
			return nil, fmt.Errorf("provisioned product %d: %w", i, err)
		}
	}
	return s, nil
}

// Add stores a provisioned product, as if someone had provisioned it.
func (s *Store) Add(p ProvisionedProduct) error {
	if !awsarn.IsAccountID(p.Account) || p.Region == "" || p.ID == "" || p.Name == "" {
		return fmt.Errorf("account, region, id and name are required")
	}
	p.Type = cmp.Or(p.Type, "CFN_STACK")
	p.Status = cmp.Or(p.Status, "AVAILABLE")
	p.UserArn = cmp.Or(p.UserArn, "arn:aws:iam::"+p.Account+":user/catalog-user")
	s.mu.Lock()
	defer s.mu.Unlock()
	k := scope{p.Account, p.Region}
	s.products[k] = append(s.products[k], p)
	return nil
}

// Service is the Service Catalog service.
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:      "servicecatalog",
		Protocol:         wire.JSON11,
		TargetPrefix:     "AWS242ServiceCatalogService",
		ThrottleCode:     "ThrottlingException",
		AccessDeniedCode: "AccessDeniedException",
		Ops: map[string]wire.Handler{
			"SearchProvisionedProducts": wire.Op(s.search),
		},
	}
}

type searchInput struct {
	AccessLevelFilter *struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"AccessLevelFilter"`
	Filters   map[string][]string `json:"Filters"`
	SortBy    string              `json:"SortBy"`
	SortOrder string              `json:"SortOrder"`
	PageSize  int                 `json:"PageSize"`
	PageToken string              `json:"PageToken"`
}

type attribute struct {
	Arn                      string  `json:"Arn"`
	CreatedTime              float64 `json:"CreatedTime,omitempty"`
	Id                       string  `json:"Id"`
	Name                     string  `json:"Name"`
	PhysicalId               string  `json:"PhysicalId,omitempty"`
	ProductId                string  `json:"ProductId,omitempty"`
	ProductName              string  `json:"ProductName,omitempty"`
	ProvisioningArtifactId   string  `json:"ProvisioningArtifactId,omitempty"`
	ProvisioningArtifactName string  `json:"ProvisioningArtifactName,omitempty"`
	Status                   string  `json:"Status"`
	Type                     string  `json:"Type"`
	UserArn                  string  `json:"UserArn,omitempty"`
}

type searchOutput struct {
	ProvisionedProducts []attribute `json:"ProvisionedProducts"`
	TotalResultsCount   int         `json:"TotalResultsCount"`
	NextPageToken       string      `json:"NextPageToken,omitempty"`
}

func invalid(format string, args ...any) error {
	return wire.Errorf("InvalidParametersException", http.StatusBadRequest, format, args...)
}

// searchFields are the SearchQuery fields the simulator understands.
var searchFields = map[string]func(p *ProvisionedProduct) string{
	"arn":                      func(p *ProvisionedProduct) string { return arnOf(p) },
	"id":                       func(p *ProvisionedProduct) string { return p.ID },
	"name":                     func(p *ProvisionedProduct) string { return p.Name },
	"physicalId":               func(p *ProvisionedProduct) string { return p.PhysicalID },
	"productId":                func(p *ProvisionedProduct) string { return p.ProductID },
	"productName":              func(p *ProvisionedProduct) string { return p.ProductName },
	"provisioningArtifactId":   func(p *ProvisionedProduct) string { return p.ProvisioningArtifactID },
	"provisioningArtifactName": func(p *ProvisionedProduct) string { return p.ProvisioningArtifactName },
	"status":                   func(p *ProvisionedProduct) string { return p.Status },
	"type":                     func(p *ProvisionedProduct) string { return p.Type },
	"userArn":                  func(p *ProvisionedProduct) string { return p.UserArn },
}

func arnOf(p *ProvisionedProduct) string {
	return awsarn.New("servicecatalog", p.Region, p.Account, "stack/"+p.Name+"/"+p.ID)
}

func (s *Store) search(_ context.Context, r *wire.Request, in searchInput) (any, error) {
	level := "User"
	if in.AccessLevelFilter != nil {
		level = in.AccessLevelFilter.Key
		if in.AccessLevelFilter.Value != "self" {
			return nil, invalid("AccessLevelFilter Value must be self")
		}
	}
	// match holds what a product must pass: visibility, then the filters.
	var match []func(p *ProvisionedProduct) bool
	switch level {
	case "Account": // every product of the account
	case "Role":
		role := roleOf(r.Principal)
		match = append(match, func(p *ProvisionedProduct) bool { return role != "" && roleOf(p.UserArn) == role })
	case "User":
		match = append(match, func(p *ProvisionedProduct) bool { return p.UserArn == r.Principal })
	default:
		return nil, invalid("AccessLevelFilter Key must be Account, Role or User, not %q", level)
	}
	for key, values := range in.Filters {
		if key != "SearchQuery" {
			return nil, invalid("unsupported filter %q", key)
		}
		for _, q := range values {
			field, want, ok := strings.Cut(q, ":")
			get := searchFields[field]
			if !ok || get == nil {
				// A bare term matches any field, as the console's search box.
				term := q
				match = append(match, func(p *ProvisionedProduct) bool {
					for _, g := range searchFields {
						if strings.Contains(g(p), term) {
							return true
						}
					}
					return false
				})
				continue
			}
			match = append(match, func(p *ProvisionedProduct) bool { return get(p) == want })
		}
	}
	size := cmp.Or(in.PageSize, 20)
	if size < 0 || size > 100 {
		return nil, invalid("PageSize must be between 0 and 100")
	}
	start := 0
	if in.PageToken != "" {
		n, err := strconv.Atoi(in.PageToken)
		if err != nil || n < 0 {
			return nil, invalid("invalid PageToken")
		}
		start = n
	}

	s.mu.RLock()
	found := slices.Clone(s.products[scope{r.Account, r.Region}])
	s.mu.RUnlock()
	found = slices.DeleteFunc(found, func(p ProvisionedProduct) bool {
		return slices.ContainsFunc(match, func(m func(p *ProvisionedProduct) bool) bool { return !m(&p) })
	})
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	if strings.EqualFold(in.SortOrder, "DESCENDING") {
		slices.Reverse(found)
	}
	out := &searchOutput{ProvisionedProducts: []attribute{}, TotalResultsCount: len(found)}
	for i := start; i < len(found) && i < start+size; i++ {
		p := found[i]
		a := attribute{Arn: arnOf(&p), Id: p.ID, Name: p.Name, PhysicalId: p.PhysicalID, ProductId: p.ProductID,
			ProductName: p.ProductName, ProvisioningArtifactId: p.ProvisioningArtifactID,
			ProvisioningArtifactName: p.ProvisioningArtifactName, Status: p.Status, Type: p.Type, UserArn: p.UserArn}
		if !p.CreatedAt.IsZero() {
			a.CreatedTime = float64(p.CreatedAt.Unix())
		}
		out.ProvisionedProducts = append(out.ProvisionedProducts, a)
	}
	if start+size < len(found) {
		out.NextPageToken = strconv.Itoa(start + size)
	}
	return out, nil
}

// roleOf returns the role name of an assumed-role or role ARN.
func roleOf(arn string) string {
	for _, marker := range []string{":assumed-role/", ":role/"} {
		if _, rest, ok := strings.Cut(arn, marker); ok {
			name, _, _ := strings.Cut(rest, "/")
			return name
		}
	}
	return ""
}
