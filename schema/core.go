package schema

// This file declares the schemas of RFC 7643 as §4 and §8.7 give them. Each
// exported function builds fresh values, so a caller that changes what it
// got (to add an attribute, say) changes nobody else's schema.
//
// Where §8.7.1's machine-readable representation contradicts the normative
// prose of §4 or §5, scimkit follows the prose (see schema/core_test.go,
// which lists each such difference):
//   - Group "displayName" is required (§4.2 says REQUIRED).
//   - Group "members" has a "display" sub-attribute (§8.4 examples, and what
//     Entra ID and Okta send).
//   - User "addresses" has a "primary" sub-attribute (§4.1.2).
//   - ServiceProviderConfig has "etag" (§5), and its authenticationSchemes
//     have "type" and "primary" (§5).

func str(name, desc string) *Attribute {
	return &Attribute{Name: name, Type: String, Description: desc}
}

func boolean(name, desc string) *Attribute {
	return &Attribute{Name: name, Type: Boolean, Description: desc}
}

func ref(name, desc string, types ...string) *Attribute {
	return &Attribute{Name: name, Type: Reference, Description: desc, ReferenceTypes: types}
}

func complexAttr(name, desc string, multi bool, subs ...*Attribute) *Attribute {
	return &Attribute{Name: name, Type: Complex, MultiValued: multi, Description: desc, SubAttributes: subs}
}

func canonical(a *Attribute, values ...string) *Attribute { a.CanonicalValues = values; return a }

func readOnly(attrs ...*Attribute) {
	for _, a := range attrs {
		a.Mutability = ReadOnly
		readOnly(a.SubAttributes...)
	}
}

func immutable(attrs ...*Attribute) {
	for _, a := range attrs {
		a.Mutability = Immutable
	}
}

func required(a *Attribute) *Attribute { a.Required = true; return a }

func caseExact(a *Attribute) *Attribute { a.CaseExact = true; return a }

const displaySub = "A human-readable name, primarily used for display purposes.  READ-ONLY."

// multiSubs returns the value, display, type and primary sub-attributes
// that RFC 7643 §2.4 gives multi-valued attributes.
func multiSubs(value *Attribute, typeDesc, primaryDesc string, types ...string) []*Attribute {
	t := str("type", typeDesc)
	if len(types) > 0 {
		t.CanonicalValues = types
	}
	return []*Attribute{value, str("display", displaySub), t, boolean("primary", primaryDesc)}
}

// commonAttrs are the attributes of RFC 7643 §3.1 that every resource has,
// whatever its schema: "id", "externalId" and "meta". They are not part of
// any schema's attribute list; ResourceType.Attribute finds them. They are
// never changed.
var commonAttrs = commonAttributes()

func commonAttributes() []*Attribute {
	id := caseExact(str("id", "A unique identifier for a SCIM resource as defined by the service provider."))
	id.Mutability, id.Returned, id.Uniqueness = ReadOnly, ReturnedAlways, UniquenessServer
	meta := complexAttr("meta", "A complex attribute containing resource metadata.", false,
		caseExact(str("resourceType", "The name of the resource type of the resource.")),
		&Attribute{Name: "created", Type: DateTime, Description: "The \"DateTime\" that the resource was added to the service provider."},
		&Attribute{Name: "lastModified", Type: DateTime, Description: "The most recent DateTime that the details of this resource were updated at the service provider."},
		ref("location", "The URI of the resource being returned.", "uri"),
		caseExact(str("version", "The version of the resource being returned.")),
	)
	readOnly(meta)
	return []*Attribute{
		id,
		caseExact(str("externalId", "A String that is an identifier for the resource as defined by the provisioning client.")),
		meta,
	}
}

// User returns the core User schema (RFC 7643 §4.1, §8.7.1).
func User() *Schema {
	userName := required(str("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED."))
	userName.Uniqueness = UniquenessServer
	password := str("password", "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.")
	password.Mutability, password.Returned = WriteOnly, ReturnedNever
	groups := complexAttr("groups", "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.", true,
		str("value", "The identifier of the User's group."),
		ref("$ref", "The URI of the corresponding 'Group' resource to which the user belongs.", "User", "Group"),
		str("display", displaySub),
		canonical(str("type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'."), "direct", "indirect"),
	)
	readOnly(groups)
	addresses := complexAttr("addresses", "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes.", true,
		str("formatted", "The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines."),
		str("streetAddress", "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines."),
		str("locality", "The city or locality component."),
		str("region", "The state or region component."),
		str("postalCode", "The zip code or postal code component."),
		str("country", "The country name component."),
		canonical(str("type", "A label indicating the attribute's function, e.g., 'work' or 'home'."), "work", "home", "other"),
		boolean("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once."),
	)
	return &Schema{
		ID:          UserSchema,
		Name:        "User",
		Description: "User Account",
		Attributes: []*Attribute{
			userName,
			complexAttr("name", "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.", false,
				str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
				str("familyName", "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III')."),
				str("givenName", "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III')."),
				str("middleName", "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
				str("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III')."),
				str("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III')."),
			),
			str("displayName", "The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known."),
			str("nickName", "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge')."),
			ref("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", "external"),
			str("title", "The user's title, such as \"Vice President.\""),
			str("userType", "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
			str("preferredLanguage", "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
			str("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
			str("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
			boolean("active", "A Boolean value indicating the User's administrative status."),
			password,
			complexAttr("emails", "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.", true,
				multiSubs(str("value", "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'."),
					"A label indicating the attribute's function, e.g., 'work' or 'home'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.",
					"work", "home", "other")...),
			complexAttr("phoneNumbers", "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.", true,
				multiSubs(str("value", "Phone number of the User."),
					"A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number.  The primary attribute value 'true' MUST appear no more than once.",
					"work", "home", "mobile", "fax", "pager", "other")...),
			complexAttr("ims", "Instant messaging addresses for the User.", true,
				multiSubs(str("value", "Instant messaging address for the User."),
					"A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger.  The primary attribute value 'true' MUST appear no more than once.",
					"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo")...),
			complexAttr("photos", "URLs of photos of the User.", true,
				multiSubs(ref("value", "URL of a photo of the User.", "external"),
					"A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.  The primary attribute value 'true' MUST appear no more than once.",
					"photo", "thumbnail")...),
			addresses,
			groups,
			complexAttr("entitlements", "A list of entitlements for the User that represent a thing the User has.", true,
				multiSubs(str("value", "The value of an entitlement."),
					"A label indicating the attribute's function.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.")...),
			complexAttr("roles", "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.", true,
				multiSubs(str("value", "The value of a role."),
					"A label indicating the attribute's function.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.")...),
			complexAttr("x509Certificates", "A list of certificates issued to the User.", true,
				multiSubs(&Attribute{Name: "value", Type: Binary, Description: "The value of an X.509 certificate."},
					"A label indicating the attribute's function.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.")...),
		},
	}
}

// Group returns the core Group schema (RFC 7643 §4.2, §8.7.1).
func Group() *Schema {
	members := complexAttr("members", "A list of members of the Group.", true,
		str("value", "Identifier of the member of this Group."),
		ref("$ref", "The URI corresponding to a SCIM resource that is a member of this Group.", "User", "Group"),
		str("display", displaySub),
		canonical(str("type", "A label indicating the type of resource, e.g., 'User' or 'Group'."), "User", "Group"),
	)
	immutable(members.SubAttributes...)
	return &Schema{
		ID:          GroupSchema,
		Name:        "Group",
		Description: "Group",
		Attributes: []*Attribute{
			required(str("displayName", "A human-readable name for the Group. REQUIRED.")),
			members,
		},
	}
}

// EnterpriseUser returns the Enterprise User extension schema (RFC 7643
// §4.3, §8.7.1).
func EnterpriseUser() *Schema {
	manager := complexAttr("manager", "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.", false,
		str("value", "The id of the SCIM resource representing the User's manager.  REQUIRED."),
		ref("$ref", "The URI of the SCIM resource representing the User's manager.  REQUIRED.", "User"),
		str("displayName", "The displayName of the User's manager. OPTIONAL and READ-ONLY."),
	)
	readOnly(manager.SubAttributes[2])
	return &Schema{
		ID:          EnterpriseUserSchema,
		Name:        "EnterpriseUser",
		Description: "Enterprise User",
		Attributes: []*Attribute{
			str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
			str("costCenter", "Identifies the name of a cost center."),
			str("organization", "Identifies the name of an organization."),
			str("division", "Identifies the name of a division."),
			str("department", "Identifies the name of a department."),
			manager,
		},
	}
}

// Users returns the User resource type (RFC 7643 §6, §8.6) at "/Users" with
// the core User schema and the optional EnterpriseUser extension.
func Users() *ResourceType {
	return &ResourceType{
		ID: "User", Name: "User", Description: "User Account", Endpoint: "/Users",
		Schema:     User(),
		Extensions: []Extension{{Schema: EnterpriseUser()}},
	}
}

// Groups returns the Group resource type (RFC 7643 §6, §8.6) at "/Groups".
func Groups() *ResourceType {
	return &ResourceType{ID: "Group", Name: "Group", Description: "Group", Endpoint: "/Groups", Schema: Group()}
}
