package store

import "context"

type tenantKey struct{}

// WithTenant returns a context for the tenant (a customer of a
// multi-tenant service) that requests with it act for. The handler puts
// the tenant that Config.Tenant resolves into every request's context;
// stores keep each tenant's resources apart, so that a tenant can never
// read or change another's.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// Tenant returns the tenant of ctx, or "" for a single-tenant service.
func Tenant(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}
