package aws

import (
	"context"
	"fmt"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"

	"github.com/orgnotify/orgnotify/internal/events"
)

// Products finds the Service Catalog provisioned product behind a stack,
// as memberRole in the stack's account (events.ProductLookup).
type Products struct {
	Sessions *Sessions
}

var _ events.ProductLookup = Products{}

// ProvisionedProduct searches the account's provisioned products for the
// one whose physical ID is the stack ARN, in the stack's region, at access
// level Account: the role did not provision it (W16).
func (p Products) ProvisionedProduct(ctx context.Context, account, region, stackARN string) (events.Product, error) {
	c := servicecatalog.NewFromConfig(p.Sessions.Config(account, region))
	out, err := c.SearchProvisionedProducts(ctx, &servicecatalog.SearchProvisionedProductsInput{
		AccessLevelFilter: &types.AccessLevelFilter{Key: types.AccessLevelFilterKeyAccount, Value: sdkaws.String("self")},
		Filters:           map[string][]string{"SearchQuery": {"physicalId:" + stackARN}},
	})
	if err != nil {
		return events.Product{}, fmt.Errorf("search provisioned products in %s/%s: %w", account, region, err)
	}
	for _, pp := range out.ProvisionedProducts {
		if sdkaws.ToString(pp.PhysicalId) == stackARN {
			return events.Product{
				Name:    sdkaws.ToString(pp.Name),
				Product: sdkaws.ToString(pp.ProductName),
				Version: firstNonEmpty(sdkaws.ToString(pp.ProvisioningArtifactName), sdkaws.ToString(pp.ProvisioningArtifactId)),
			}, nil
		}
	}
	return events.Product{}, fmt.Errorf("%w: %s", events.ErrNoProduct, stackARN)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
