module github.com/scimkit/scimkit

go 1.24.0

require (
	github.com/elimity-com/scim v0.0.0-20260728105928-2641426a1539
	github.com/jackc/pgx/v5 v5.8.0
	github.com/scim2/filter-parser/v2 v2.3.1
	github.com/stretchr/testify v1.11.1
	golang.org/x/time v0.14.0
)

require github.com/kr/text v0.2.0 // indirect

require (
	filippo.io/edwards25519 v1.1.0 // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/go-sql-driver/mysql v1.9.3 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.2 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/q-uint/parser v0.3.1 // indirect
	github.com/q-uint/xsd-datetime v1.0.0 // indirect
	github.com/rogpeppe/go-internal v1.14.1 // indirect
	golang.org/x/sync v0.17.0 // indirect
	golang.org/x/text v0.29.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
