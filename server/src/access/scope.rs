//! Whose records a query may return.

/// The records a query may return: one person's, one unit's, or a region subtree's. Only
/// the access module makes one (from an [`super::Actor`]); storage queries over other
/// people's records take one and render it with [`Scope::people_sql`] and [`Scope::bind`],
/// or match on [`Scope::within`] where a resource applies it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Inner);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Inner {
    Person(i64),
    Unit(i64),
    /// The subtree's root path, and the `LIKE` pattern that matches the subtree's paths.
    Region {
        path: String,
        pattern: String,
    },
}

/// What a [`Scope`] covers, for queries that apply it in their own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within<'a> {
    /// One person (a user id).
    Person(i64),
    /// One unit (a unit id).
    Unit(i64),
    /// Every region whose path starts with this one.
    Region(&'a str),
}

impl Scope {
    pub(super) fn person(user_id: i64) -> Self {
        Scope(Inner::Person(user_id))
    }

    pub(super) fn unit(unit_id: i64) -> Self {
        Scope(Inner::Unit(unit_id))
    }

    pub(super) fn region(path: &str) -> Self {
        // Paths are digits and slashes only, so nothing in them is a LIKE wildcard.
        Scope(Inner::Region {
            path: path.to_owned(),
            pattern: format!("{path}%"),
        })
    }

    pub fn within(&self) -> Within<'_> {
        match &self.0 {
            Inner::Person(id) => Within::Person(*id),
            Inner::Unit(id) => Within::Unit(*id),
            Inner::Region { path, .. } => Within::Region(path),
        }
    }

    /// The SQL condition that the person in the `users` row `alias` is inside the scope; its
    /// one value is the statement's `$n`th, bound by [`Scope::bind`].
    pub fn people_sql(&self, alias: &str, n: usize) -> String {
        match &self.0 {
            Inner::Person(_) => format!("{alias}.id = ${n}"),
            Inner::Unit(_) => format!("{alias}.unit_id = ${n}"),
            Inner::Region { .. } => format!("{alias}.unit_id IN ({})", Self::units_in_region(n)),
        }
    }

    /// The ids of the units in the region subtree whose pattern is the `$n`th value.
    pub fn units_in_region(n: usize) -> String {
        format!(
            "SELECT scope_u.id FROM units scope_u JOIN regions scope_r \
             ON scope_r.code = scope_u.region_code WHERE scope_r.path LIKE ${n}"
        )
    }

    /// Binds the scope's one value, in the place its SQL gave it.
    pub fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match &self.0 {
            Inner::Person(id) | Inner::Unit(id) => q.bind(*id),
            Inner::Region { pattern, .. } => q.bind(pattern.as_str()),
        }
    }

    /// The `LIKE` pattern of a region scope's paths, for a query that tests a region path of
    /// its own (an actor's region in the audit log); `None` for person and unit scopes.
    pub fn region_pattern(&self) -> Option<&str> {
        match &self.0 {
            Inner::Region { pattern, .. } => Some(pattern),
            _ => None,
        }
    }

    /// The root path of a region scope.
    pub fn region_root(&self) -> Option<&str> {
        match &self.0 {
            Inner::Region { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Whether a region (by its path) lies inside a region scope; person and unit scopes
    /// contain no region.
    pub fn contains_region(&self, path: &str) -> bool {
        match &self.0 {
            Inner::Region { path: root, .. } => path.starts_with(root.as_str()),
            _ => false,
        }
    }

    /// The subtree of a region inside this region scope (a group session's region, inside
    /// its office's), or none when the region lies outside it.
    pub fn subtree(&self, path: &str) -> Option<Scope> {
        self.contains_region(path).then(|| Scope::region(path))
    }
}
