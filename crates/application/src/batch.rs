//! Update Contacts (Batch), Insert Contacts (Batch), and the single full replace (a batch of
//! one): resolve and validate every item, then write the changed ones in one transaction.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use contacts_domain::{apply, Applied, Catalog, Contact, ContactInput, ErrorCode, Field, FieldError, UpdateMode};
use sha2::{Digest as _, Sha256};

use crate::ports::{
    Actor, CatalogStore, ContactRef, ContactTx, ContactUpdate, Digest, HistoryRecord, LockedVersion, Operation,
    StoreError, UnitOfWork,
};
use crate::retry::ATTEMPTS;

/// How batch items name their contact (`idType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdType {
    #[default]
    Id,
    ExternalId,
}

/// Which call this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// `PUT .../batch`: every item names an existing contact.
    Update { id_type: IdType, mode: UpdateMode },
    /// `POST .../batch`: an item whose externalId exists updates that contact (full replace),
    /// the others are created.
    Insert,
    /// `POST /rest/contacts/{org}`: every item creates a contact; an externalId that already
    /// exists in the organization fails the item (310).
    Create,
}

impl BatchKind {
    /// How its items apply: inserts and creates replace in full.
    fn mode(self) -> UpdateMode {
        match self {
            BatchKind::Update { mode, .. } => mode,
            BatchKind::Insert | BatchKind::Create => UpdateMode::Full,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    pub kind: BatchKind,
    /// All or nothing (the default), or write what is valid and report the rest.
    pub atomic: bool,
    /// Resolve and validate, report, write nothing.
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Created,
    Updated,
    Unchanged,
    /// Soft-deleted (see [`ContactBatches::delete`]).
    Deleted,
    Failed,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Created => "created",
            ItemStatus::Updated => "updated",
            ItemStatus::Unchanged => "unchanged",
            ItemStatus::Deleted => "deleted",
            ItemStatus::Failed => "failed",
        }
    }
}

/// What became of one input item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub index: usize,
    /// The contact's id (none for an item that failed before one was known, or a contact a
    /// dry run would create).
    pub id: Option<i64>,
    pub external_id: Option<String>,
    pub status: ItemStatus,
    pub version: Option<i64>,
    /// Empty unless `status` is `Failed`.
    pub errors: Vec<FieldError>,
}

impl ItemResult {
    fn fail(&mut self, error: FieldError) {
        self.status = ItemStatus::Failed;
        self.errors.push(error);
    }
}

/// Why a batch was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("the batch has {got} items, more than the limit of {limit}")]
    TooLarge { limit: usize, got: usize },
    /// `atomic=true` and some items failed: nothing was written. Holds every failing item.
    #[error("{} items failed", .0.len())]
    Rejected(Vec<ItemResult>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts the items of a batch that ran (not a dry run) by outcome, in
/// `contacts_batch_items_total{outcome}`: `created`, `updated`, `unchanged`, `failed` (a batch
/// delete counts `deleted`; the failing items of a non-atomic batch, or of an atomic one that was refused: its other
/// items were written neither, and are not counted).
fn count_items(outcome: &Result<Vec<ItemResult>, BatchError>) {
    let mut counts = [0u64; 5];
    let results = match outcome {
        Ok(results) | Err(BatchError::Rejected(results)) => results,
        Err(_) => return,
    };
    for r in results {
        counts[r.status as usize] += 1;
    }
    for status in [ItemStatus::Created, ItemStatus::Updated, ItemStatus::Unchanged, ItemStatus::Failed] {
        let n = counts[status as usize];
        if n > 0 {
            metrics::counter!("contacts_batch_items_total", "outcome" => status.as_str()).increment(n);
        }
    }
}

/// An item as parsed at the edge: its input, or the type error that kept it from parsing.
pub type BatchItem = Result<ContactInput, FieldError>;

/// Items in flight by default: this many per core (2 cores at least), a batch of 1,000 each.
pub const ITEMS_IN_FLIGHT_PER_CORE: usize = 1_000;

/// Below tokio's limit on a semaphore's permits.
const MAX_PERMITS: usize = 1 << 28;

fn default_items_in_flight() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    ITEMS_IN_FLIGHT_PER_CORE * cores.max(2)
}

/// The batch write use cases.
#[derive(Clone)]
pub struct ContactBatches {
    catalog: Arc<dyn CatalogStore>,
    pub(crate) uow: Arc<dyn UnitOfWork>,
    pub(crate) max_batch: usize,
    /// How many items are resolved and written at once, over all batches: a batch takes one
    /// permit per item (the whole budget at most) and the others wait their turn. Batches are
    /// CPU- and database-bound, so more of them at once than the cores can work on only adds
    /// memory (each holds its items, the stored contacts and the new ones) and lock waits, not
    /// throughput; single writes take one permit and are practically never held back.
    running: Arc<tokio::sync::Semaphore>,
    /// The permits of `running`.
    budget: usize,
    /// Whether writes record their history entries: always, but in the benchmark's
    /// measurement of what recording costs ([`ContactBatches::without_history`]).
    pub(crate) history: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Id(i64),
    External(String),
}

impl From<&ContactRef> for Key {
    fn from(r: &ContactRef) -> Self {
        match r {
            ContactRef::Id(id) => Key::Id(*id),
            ContactRef::ExternalId(e) => Key::External(e.clone()),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Id(id) => write!(f, "{id}"),
            Key::External(e) => f.write_str(e),
        }
    }
}

/// Changes whenever the rules that turn an item into a contact may have changed (the
/// fingerprint of their sources, see `build.rs`): a stored digest written by a server built
/// from other rules never matches.
const DIGEST_SCHEME: &str = concat!(
    "contacts batch item digest 1, server ",
    env!("CARGO_PKG_VERSION"),
    ", rules ",
    env!("RULES_FINGERPRINT"),
    "\n"
);

/// The unchanged fast path. Applying an item is idempotent: applied again to the contact it
/// produced, it yields that contact (every field is taken from the item or kept from the stored
/// contact; groups are only added). So when the stored contact is still exactly what this item
/// made of it, the item changes nothing, and there is no need to read the contact to know.
///
/// A write stores, beside the contact, the digest of (this scheme, the update mode, the
/// catalog, the item's text, the new version). Any later write bumps the version, and a write
/// that does not come from an item stores no digest; a change to the catalog changes the
/// digest. A stored digest equal to the one computed for an item and the contact's current
/// version thus proves that the item is unchanged — read with one light statement, no lock,
/// no transaction.
struct Digests {
    /// The hash state after the scheme, the mode and the catalog: an item's digest continues
    /// it. `None` when no item carries its text's digest (a single write, a parsed tree).
    context: Option<Sha256>,
    /// Per item: the contact whose stored digest matched it, as the digest read found it.
    matched: Vec<Option<LockedVersion>>,
}

impl Digests {
    fn new(catalog: &Catalog, mode: UpdateMode, items: &[BatchItem]) -> Self {
        let matched = vec![None; items.len()];
        if !items.iter().any(|i| i.as_ref().is_ok_and(|input| input.text_digest.is_some())) {
            return Self { context: None, matched };
        }
        let mut context = Sha256::new();
        context.update(DIGEST_SCHEME);
        context.update(format!("{mode:?}\n"));
        // The catalog as resolution sees it (its index is built from these lists).
        let lists = (&catalog.record_types, &catalog.groups, &catalog.attributes, &catalog.paths, &catalog.topics);
        context.update(format!("{lists:?}"));
        Self { context: Some(context), matched }
    }

    /// The digest of the item `index` of `items`, bound to `version`, if it has one.
    fn of(&self, items: &[BatchItem], index: usize, version: i64) -> Option<Digest> {
        let text = items.get(index)?.as_ref().ok()?.text_digest.as_ref()?;
        let mut h = self.context.clone()?;
        h.update(text);
        h.update(version.to_le_bytes());
        let mut digest = Digest::default();
        digest.copy_from_slice(&h.finalize()[..std::mem::size_of::<Digest>()]);
        Some(digest)
    }
}

/// An item that resolved and validated, waiting to be written.
struct Planned<'a> {
    index: usize,
    stored: Option<&'a Contact>,
    applied: Applied,
}

impl ContactBatches {
    /// With [`ITEMS_IN_FLIGHT_PER_CORE`] items at once per core; see [`ContactBatches::with_items_in_flight`].
    pub fn new(catalog: Arc<dyn CatalogStore>, uow: Arc<dyn UnitOfWork>, max_batch: usize) -> Self {
        Self { catalog, uow, max_batch, running: Arc::new(tokio::sync::Semaphore::new(0)), budget: 0, history: true }
            .with_items_in_flight(default_items_in_flight())
    }

    /// Batch writes and deletes that record no history entry: only to measure what recording
    /// costs (the benchmark runs the same rounds both ways). A contact changed this way has no
    /// entry for that version, so its history has a gap there.
    #[must_use]
    pub fn without_history(mut self) -> Self {
        self.history = false;
        self
    }

    /// At most `n` items (1 at least) resolved and written at once over all batches.
    #[must_use]
    pub fn with_items_in_flight(mut self, n: usize) -> Self {
        self.budget = n.clamp(1, MAX_PERMITS);
        self.running = Arc::new(tokio::sync::Semaphore::new(self.budget));
        self
    }

    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// Runs a batch for `org` on behalf of `actor`. The catalog is read once; every item is
    /// resolved and validated against the locked, current state of its contact; changed
    /// contacts are written in one transaction (retried whole on a transient conflict).
    ///
    /// # Errors
    /// [`BatchError::TooLarge`] over the limit; [`BatchError::Rejected`] with every failing
    /// item when `atomic` and any item fails; [`BatchError::Store`] when the store fails.
    pub async fn run(
        &self,
        org: i64,
        actor: &Actor,
        items: Vec<BatchItem>,
        opts: BatchOptions,
    ) -> Result<Vec<ItemResult>, BatchError> {
        self.execute(org, actor, items, opts, None).await
    }

    /// The single full replace, `PUT /rest/contacts/{org}/{id}?idType=id|externalId`: a batch
    /// of one whose contact is named by `target` (the URI), not by the body. The body's `id` is
    /// ignored; its `externalId`, when it differs from the stored one, renames the contact
    /// (310 when another contact holds it); absent while the URI names the contact by
    /// externalId, it keeps that one. `input.version` (from `If-Match`) is checked.
    ///
    /// # Errors
    /// As [`ContactBatches::run`] with `atomic`: a failing item is [`BatchError::Rejected`].
    pub async fn replace_one(
        &self,
        org: i64,
        actor: &Actor,
        target: &ContactRef,
        mut input: ContactInput,
    ) -> Result<ItemResult, BatchError> {
        // The URI names the contact by its externalId: a body without one keeps it.
        if let (ContactRef::ExternalId(e), Field::Absent) = (target, &input.external_id) {
            input.external_id = Field::Value(e.clone());
        }
        let id_type = match target {
            ContactRef::Id(_) => IdType::Id,
            ContactRef::ExternalId(_) => IdType::ExternalId,
        };
        let opts =
            BatchOptions { kind: BatchKind::Update { id_type, mode: UpdateMode::Full }, atomic: true, dry_run: false };
        let mut results = self.execute(org, actor, vec![Ok(input)], opts, Some(Key::from(target))).await?;
        results.pop().ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("a batch of one gave no result")).into())
    }

    /// `target`: the key of the (single) item when the URI names it rather than the body.
    async fn execute(
        &self,
        org: i64,
        actor: &Actor,
        items: Vec<BatchItem>,
        opts: BatchOptions,
        target: Option<Key>,
    ) -> Result<Vec<ItemResult>, BatchError> {
        let outcome = self.execute_uncounted(org, actor, items, opts, target).await;
        if !opts.dry_run {
            count_items(&outcome);
        }
        outcome
    }

    async fn execute_uncounted(
        &self,
        org: i64,
        actor: &Actor,
        items: Vec<BatchItem>,
        opts: BatchOptions,
        target: Option<Key>,
    ) -> Result<Vec<ItemResult>, BatchError> {
        if items.len() > self.max_batch {
            return Err(BatchError::TooLarge { limit: self.max_batch, got: items.len() });
        }
        // One permit per item, the whole budget at most. Never closed, so the permits come.
        let wanted = u32::try_from(items.len().clamp(1, self.budget)).unwrap_or(u32::MAX);
        let _turn = self.running.acquire_many(wanted).await.ok();
        let catalog = self.catalog.load_catalog(org).await?;
        let (keys, first_results) = identify(&items, opts.kind, target);
        let mut digests = Digests::new(&catalog, opts.kind.mode(), &items);
        if opts.kind != BatchKind::Create && digests.context.is_some() {
            if let Some(results) = self.sent_again(org, &items, &keys, &first_results, &mut digests).await? {
                return Ok(results);
            }
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut results = first_results.clone();
            let mut tx = self.uow.begin().await?;
            match self.attempt(&mut *tx, org, actor, &items, &keys, &mut results, &catalog, &digests, opts).await {
                Err(BatchError::Store(StoreError::Conflict)) if attempt < ATTEMPTS => {
                    crate::retry::after_conflict(attempt, "batch").await;
                    continue;
                }
                Err(e) => return Err(e),
                Ok(()) => return Ok(results),
            }
        }
    }

    /// The fast path (see [`Digests`]): when every item carries its text's digest and every
    /// stored digest matches, the results (all `unchanged`) without a transaction. Otherwise
    /// `None`, and `digests.matched` says which items did match: the slow way locks their
    /// contacts without reading them, and answers them `unchanged` if their version held.
    async fn sent_again(
        &self,
        org: i64,
        items: &[BatchItem],
        keys: &[Option<Key>],
        results: &[ItemResult],
        digests: &mut Digests,
    ) -> Result<Option<Vec<ItemResult>>, StoreError> {
        if items.iter().any(|i| !i.as_ref().is_ok_and(|input| input.text_digest.is_some()))
            || results.iter().any(|r| r.status == ItemStatus::Failed)
        {
            return Ok(None);
        }
        if keys.iter().any(Option::is_none) {
            return Ok(None);
        }
        let (ids, external_ids) = split_keys(keys);
        let stored = self.uow.contact_digests(org, &ids, &external_ids).await?;
        let by_id: HashMap<i64, &crate::ports::StoredDigest> = stored.iter().map(|s| (s.id, s)).collect();
        let by_ext: HashMap<&str, &crate::ports::StoredDigest> =
            stored.iter().map(|s| (s.external_id.as_str(), s)).collect();
        let mut unchanged = Vec::with_capacity(items.len());
        for (index, (item, key)) in items.iter().zip(keys).enumerate() {
            let version = item.as_ref().ok().and_then(|input| input.version);
            let found = match key {
                Some(Key::Id(id)) => by_id.get(id),
                Some(Key::External(e)) => by_ext.get(e.as_str()),
                None => None,
            };
            let Some(s) = found else { continue };
            // An item naming a version is unchanged only at that version (else 412, the slow way).
            if version.is_some_and(|v| v != s.version)
                || s.digest.is_none()
                || s.digest != digests.of(items, index, s.version)
            {
                continue;
            }
            digests.matched[index] =
                Some(LockedVersion { id: s.id, external_id: s.external_id.clone(), version: s.version });
            unchanged.push(ItemResult {
                index,
                id: Some(s.id),
                external_id: Some(s.external_id.clone()),
                status: ItemStatus::Unchanged,
                version: Some(s.version),
                errors: Vec::new(),
            });
        }
        Ok((unchanged.len() == items.len()).then_some(unchanged))
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        tx: &mut dyn ContactTx,
        org: i64,
        actor: &Actor,
        items: &[BatchItem],
        keys: &[Option<Key>],
        results: &mut [ItemResult],
        catalog: &Catalog,
        digests: &Digests,
        opts: BatchOptions,
    ) -> Result<(), BatchError> {
        let (ids, external_ids) = split_keys(keys);
        let (stored, held) = lock(tx, org, &ids, &external_ids, keys, digests).await?;
        let by_id: HashMap<i64, &Contact> = stored.iter().map(|c| (c.id, c)).collect();
        let by_ext: HashMap<&str, &Contact> = stored.iter().map(|c| (c.data.external_id.as_str(), c)).collect();
        let mode = opts.kind.mode();

        let mut planned: Vec<Planned> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let (Ok(input), false) = (item, results[index].status == ItemStatus::Failed) else {
                continue;
            };
            if let Some(v) = &held[index] {
                // Its digest matched, and its contact is still at that version, now locked.
                let result = &mut results[index];
                (result.id, result.external_id) = (Some(v.id), Some(v.external_id.clone()));
                (result.status, result.version) = (ItemStatus::Unchanged, Some(v.version));
                continue;
            }
            let found = match &keys[index] {
                Some(Key::Id(id)) => by_id.get(id).copied(),
                Some(Key::External(e)) => by_ext.get(e.as_str()).copied(),
                None => None,
            };
            let result = &mut results[index];
            if let (None, BatchKind::Update { .. }, Some(key)) = (found, opts.kind, &keys[index]) {
                result.fail(FieldError::new(
                    key_field(key),
                    ErrorCode::ContactNotFound,
                    format!("Contact {key} not found."),
                ));
                continue;
            }
            if let (Some(c), BatchKind::Create) = (found, opts.kind) {
                result.fail(FieldError::new(
                    "externalId",
                    ErrorCode::ExternalIdTaken,
                    format!("externalId {} already belongs to contact {}", c.data.external_id, c.id),
                ));
                continue;
            }
            if let (Some(c), Some(v), BatchKind::Update { .. }) = (found, input.version, opts.kind) {
                if c.version != v {
                    result.id = Some(c.id);
                    result.fail(FieldError::new(
                        "version",
                        ErrorCode::VersionMismatch,
                        format!("version {v} does not match the stored version {}", c.version),
                    ));
                    continue;
                }
            }
            result.id = found.map(|c| c.id);
            match apply(found, input, catalog, mode) {
                Ok(applied) => planned.push(Planned { index, stored: found, applied }),
                Err(errors) => {
                    result.status = ItemStatus::Failed;
                    result.errors = errors;
                }
            }
        }
        let kept: Vec<(usize, &str)> =
            held.iter().enumerate().filter_map(|(i, v)| v.as_ref().map(|v| (i, v.external_id.as_str()))).collect();
        check_external_ids(tx, org, &mut planned, &kept, results).await?;

        if opts.atomic && results.iter().any(|r| r.status == ItemStatus::Failed) {
            return Err(BatchError::Rejected(
                results.iter().filter(|r| r.status == ItemStatus::Failed).cloned().collect(),
            ));
        }
        for p in &planned {
            let r = &mut results[p.index];
            r.external_id = Some(p.applied.data.external_id.clone());
            (r.status, r.version) = match p.stored {
                None => (ItemStatus::Created, Some(1)),
                Some(c) if p.applied.changed => (ItemStatus::Updated, Some(c.version + 1)),
                Some(c) => (ItemStatus::Unchanged, Some(c.version)),
            };
        }
        if opts.dry_run {
            return Ok(());
        }
        let by = Author { org, actor, now: crate::now_millis(), history: self.history };
        write(tx, &by, items, &planned, results, digests).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The ids and the externalIds the items' keys name.
fn split_keys(keys: &[Option<Key>]) -> (Vec<i64>, Vec<String>) {
    let mut ids = Vec::new();
    let mut external_ids = Vec::new();
    for key in keys.iter().flatten() {
        match key {
            Key::Id(id) => ids.push(*id),
            Key::External(e) => external_ids.push(e.clone()),
        }
    }
    (ids, external_ids)
}

/// Locks the contacts the items name (one statement, in id order) and loads them, except those
/// whose item's digest matched (`digests.matched`): those are only locked, and held `unchanged`
/// if the key still names that contact at that version. One that moved on since the digest
/// read is loaded after all (it is locked already), and its item applied as any other.
/// Returns the loaded contacts and, per item, the contact it holds unchanged.
async fn lock(
    tx: &mut dyn ContactTx,
    org: i64,
    ids: &[i64],
    external_ids: &[String],
    keys: &[Option<Key>],
    digests: &Digests,
) -> Result<(Vec<Contact>, Vec<Option<LockedVersion>>), StoreError> {
    let mut held = vec![None; keys.len()];
    if ids.is_empty() && external_ids.is_empty() {
        return Ok((Vec::new(), held));
    }
    let known: Vec<i64> = digests.matched.iter().flatten().map(|m| m.id).collect();
    if known.is_empty() {
        return Ok((tx.lock_contacts(org, ids, external_ids).await?, held));
    }
    let (mut stored, versions) = tx.lock_contacts_except(org, ids, external_ids, &known).await?;
    let locked: HashMap<i64, &LockedVersion> = versions.iter().map(|v| (v.id, v)).collect();
    for (index, matched) in digests.matched.iter().enumerate() {
        let Some(m) = matched else { continue };
        let Some(now) = locked.get(&m.id) else { continue };
        let named = match &keys[index] {
            Some(Key::Id(id)) => *id == now.id,
            Some(Key::External(e)) => *e == now.external_id,
            None => false,
        };
        if named && now.version == m.version {
            held[index] = Some((*now).clone());
        }
    }
    // Whatever is locked and not held is loaded: a contact that moved on, or one that another
    // item's key now names (externalIds swapped meanwhile).
    let held_ids: HashSet<i64> = held.iter().flatten().map(|v| v.id).collect();
    let moved: Vec<i64> = versions.iter().filter(|v| !held_ids.contains(&v.id)).map(|v| v.id).collect();
    if !moved.is_empty() {
        stored.extend(tx.lock_contacts(org, &moved, &[]).await?);
    }
    Ok((stored, held))
}

/// The key of each item, and a result per item with the identity errors already found:
/// a missing identifier (404), or the same contact twice (321). `target`, when given, is the
/// key of every item (a single write whose URI names the contact).
fn identify(items: &[BatchItem], kind: BatchKind, target: Option<Key>) -> (Vec<Option<Key>>, Vec<ItemResult>) {
    let mut keys = Vec::with_capacity(items.len());
    let mut results = Vec::with_capacity(items.len());
    let mut seen: HashMap<Key, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let mut result = ItemResult {
            index,
            id: None,
            external_id: None,
            status: ItemStatus::Updated,
            version: None,
            errors: Vec::new(),
        };
        let input = match item {
            Ok(input) => input,
            Err(e) => {
                result.fail(e.clone());
                keys.push(None);
                results.push(result);
                continue;
            }
        };
        let external = match &input.external_id {
            Field::Value(e) if !e.trim().is_empty() => Some(e.clone()),
            _ => None,
        };
        result.external_id = external.clone();
        let key = match (&target, kind) {
            (Some(t), _) => Some(t.clone()),
            (None, BatchKind::Update { id_type: IdType::Id, .. }) => input.id.map(Key::Id),
            (None, BatchKind::Update { id_type: IdType::ExternalId, .. } | BatchKind::Insert | BatchKind::Create) => {
                external.map(Key::External)
            }
        };
        if let Some(Key::Id(id)) = key {
            result.id = Some(id);
        }
        match (&key, kind) {
            (None, BatchKind::Update { id_type, .. }) => {
                let field = if id_type == IdType::Id { "id" } else { "externalId" };
                result.fail(FieldError::new(field, ErrorCode::MissingContactId, "Missing Contact Id"));
            }
            (Some(k), _) => {
                if let Some(first) = seen.get(k) {
                    result.fail(FieldError::new(
                        key_field(k),
                        ErrorCode::DuplicateInBatch,
                        format!("contact {k} is also item {first} of this batch"),
                    ));
                } else {
                    seen.insert(k.clone(), index);
                }
            }
            // An insert without an externalId: `apply` reports it as required.
            (None, BatchKind::Insert | BatchKind::Create) => {}
        }
        keys.push(key);
        results.push(result);
    }
    (keys, results)
}

fn key_field(key: &Key) -> &'static str {
    match key {
        Key::Id(_) => "id",
        Key::External(_) => "externalId",
    }
}

/// The unique externalId per organization: two items may not end with the same one, and a
/// rename may not take one held by a contact outside the batch (code 310). Swaps inside one
/// batch are fine.
async fn check_external_ids(
    tx: &mut dyn ContactTx,
    org: i64,
    planned: &mut Vec<Planned<'_>>,
    kept: &[(usize, &str)],
    results: &mut [ItemResult],
) -> Result<(), StoreError> {
    // Items answered `unchanged` by their digest keep their externalId, as planned items that
    // keep theirs do, and claim it first.
    let mut taken_by: HashMap<&str, usize> = kept.iter().map(|(index, ext)| (*ext, *index)).collect();
    let mut failed = Vec::new();
    // Items keeping their contact's externalId claim it first: when a rename collides with
    // one, the rename is what fails.
    let keeps = |p: &&Planned<'_>| p.stored.is_none_or(|c| c.data.external_id == p.applied.data.external_id);
    for p in planned.iter().filter(keeps).chain(planned.iter().filter(|p| !keeps(p))) {
        let ext = p.applied.data.external_id.as_str();
        if let Some(first) = taken_by.get(ext) {
            failed.push((
                p.index,
                FieldError::new(
                    "externalId",
                    ErrorCode::ExternalIdTaken,
                    format!("externalId {ext} is also given by item {first} of this batch"),
                ),
            ));
        } else {
            taken_by.insert(ext, p.index);
        }
    }
    let renames: Vec<String> = planned
        .iter()
        .filter(|p| p.stored.is_some_and(|c| c.data.external_id != p.applied.data.external_id))
        .map(|p| p.applied.data.external_id.clone())
        .collect();
    if !renames.is_empty() {
        let owners = tx.external_id_owners(org, &renames).await?;
        // An item that fails keeps its stored externalId, which may turn another item's
        // rename into a collision: repeat until no new item fails.
        let mut reported: HashSet<(usize, i64)> = HashSet::new();
        loop {
            let failing: HashSet<usize> = failed.iter().map(|(i, _)| *i).collect();
            // Contacts of this batch that keep a valid plan, by id, with their new externalId.
            let moving: HashMap<i64, &str> = planned
                .iter()
                .filter(|p| !failing.contains(&p.index))
                .filter_map(|p| p.stored.map(|c| (c.id, p.applied.data.external_id.as_str())))
                .collect();
            let before = failed.len();
            for (ext, owner) in &owners {
                let owner_leaves = moving.get(owner).is_some_and(|new_ext| new_ext != ext);
                if owner_leaves {
                    continue;
                }
                for p in planned.iter() {
                    if p.applied.data.external_id == *ext
                        && !failing.contains(&p.index)
                        && p.stored.is_some_and(|c| c.id != *owner)
                        && reported.insert((p.index, *owner))
                    {
                        failed.push((
                            p.index,
                            FieldError::new(
                                "externalId",
                                ErrorCode::ExternalIdTaken,
                                format!("externalId {ext} already belongs to contact {owner}"),
                            ),
                        ));
                    }
                }
            }
            if failed.len() == before {
                break;
            }
        }
    }
    for (index, error) in failed {
        results[index].fail(error);
        planned.retain(|p| p.index != index);
    }
    Ok(())
}

/// Who writes a batch (or deletes), where and when.
pub(crate) struct Author<'a> {
    pub(crate) org: i64,
    pub(crate) actor: &'a Actor,
    pub(crate) now: i64,
    /// Whether the history entries are recorded (see [`ContactBatches::without_history`]).
    pub(crate) history: bool,
}

/// Writes the planned changes: one insert, one update, one membership call and one history
/// call for the whole batch. Unchanged items are not written; only their digest is stored,
/// when it was not.
async fn write(
    tx: &mut dyn ContactTx,
    by: &Author<'_>,
    items: &[BatchItem],
    planned: &[Planned<'_>],
    results: &mut [ItemResult],
    digests: &Digests,
) -> Result<(), StoreError> {
    let (org, actor, now) = (by.org, by.actor.name.as_str(), by.now);
    let creates: Vec<&Planned> = planned.iter().filter(|p| p.stored.is_none()).collect();
    let created: Vec<_> = creates.iter().map(|p| p.applied.data.clone()).collect();
    if !created.is_empty() {
        let ids = tx.insert_contacts(org, &created, actor, now).await?;
        for (p, id) in creates.iter().zip(ids) {
            results[p.index].id = Some(id);
        }
    }
    let updates: Vec<ContactUpdate> = planned
        .iter()
        .filter_map(|p| {
            let c = p.stored?;
            p.applied.changed.then(|| ContactUpdate {
                id: c.id,
                data: p.applied.data.clone(),
                version: c.version + 1,
                digest: digests.of(items, p.index, c.version + 1),
            })
        })
        .collect();
    if !updates.is_empty() {
        tx.update_contacts(org, &updates, actor, now).await?;
    }
    let stale: Vec<(i64, i64, Digest)> = planned
        .iter()
        .filter(|p| !p.applied.changed)
        .filter_map(|p| {
            let c = p.stored?;
            digests.of(items, p.index, c.version).map(|d| (c.id, c.version, d))
        })
        .collect();
    if !stale.is_empty() {
        tx.set_digests(org, &stale).await?;
    }
    let memberships: Vec<(i64, i64)> = planned
        .iter()
        .flat_map(|p| {
            let id = results[p.index].id.unwrap_or_default();
            p.applied.new_groups.iter().map(move |g| (*g, id))
        })
        .collect();
    if !memberships.is_empty() {
        tx.add_memberships(org, &memberships).await?;
    }
    if !by.history {
        return Ok(());
    }
    // The entries take the content just written (moved, not copied again: a batch's history
    // is a copy of every changed contact, README "With history"). `created` holds every planned
    // item without a stored contact (always a change) and `updates` every changed one with, both
    // in plan order.
    let (mut created, mut updated) = (created.into_iter(), updates.into_iter());
    let mut history = Vec::new();
    for p in planned {
        let (operation, version, mut groups, data) = match p.stored {
            None => (Operation::Created, 1, BTreeSet::new(), created.next()),
            Some(c) if p.applied.changed => {
                (Operation::Updated, c.version + 1, c.groups.clone(), updated.next().map(|u| u.data))
            }
            Some(_) => continue,
        };
        let Some(data) = data else {
            return Err(StoreError::Unknown(anyhow::anyhow!("item {} was planned but not written", p.index)));
        };
        groups.extend(&p.applied.new_groups);
        // Every written item has its id by now: one without would leave a gap in its history.
        let contact_id = results[p.index]
            .id
            .ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("item {} was written without an id", p.index)))?;
        history.push(HistoryRecord::known(contact_id, version, operation, data, groups));
    }
    if !history.is_empty() {
        tx.record_history(org, &history, by.actor, now).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
