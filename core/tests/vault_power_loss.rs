//! The power-loss test (#15 item 5): writes that were not yet synced are lost, as when the power
//! goes, not only when the process dies. In the spirit of SQLite's own crash tests, a shim VFS
//! sits under SQLite (registered as the default, so the vault uses it unchanged) and keeps, for
//! every file, an undo log of the writes and truncations made since that file's last `fsync`.
//! At a random I/O operation the power "goes": that operation and every later one fail. Then
//! a random prefix of each file's unsynced changes is kept (they reached the disk in order) and
//! the rest is undone, the shared-memory index is dropped, and the vault is opened again.
//!
//! After every cut: the vault opens undamaged; every account whose `add` returned is there and
//! every account whose `remove` returned is gone; no HOTP counter that `next_hotp` returned is
//! ever returned again. `JETON_POWER_ITERATIONS` (default 300) and `JETON_POWER_SEED` tune it.
//!
//! Not modelled: a directory entry lost with its file (deletions and creations are durable at
//! once), and writes torn inside one sector (SQLite's WAL frames carry checksums for that).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

#[path = "support/crash.rs"]
mod crash;
use crash::{Rng, env_count, env_seed, vault_with_hotp};

use std::collections::{BTreeMap, HashMap};
use std::ffi::{CStr, c_char, c_int, c_void};
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use jeton_core::otp::OtpParams;
use jeton_core::vault::{AccountId, Vault};
use jeton_core::{Account, Kind, Secret};
use rusqlite::ffi;

const PASS: &str = "power-loss";

/// One change to a file since its last sync, with what it replaced.
enum Undo {
    /// A write at `offset`: the file was `size` bytes, `old` is what the write covered.
    Write {
        offset: u64,
        size: u64,
        old: Vec<u8>,
    },
    /// A truncation from `size` bytes: `tail` is what it cut off.
    Truncate { size: u64, tail: Vec<u8>, to: u64 },
}

/// I/O operations counted since the cut was armed; the power goes at `CUT_AT`.
static OPS: AtomicU64 = AtomicU64::new(0);
static CUT_AT: AtomicU64 = AtomicU64::new(u64::MAX);
static POWER_GONE: AtomicBool = AtomicBool::new(false);

fn unsynced() -> &'static Mutex<HashMap<String, Vec<Undo>>> {
    static LOG: OnceLock<Mutex<HashMap<String, Vec<Undo>>>> = OnceLock::new();
    LOG.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Counts one write, truncation or sync; false once the power is gone.
fn power_on() -> bool {
    if POWER_GONE.load(Ordering::SeqCst) {
        return false;
    }
    if OPS.fetch_add(1, Ordering::SeqCst) + 1 >= CUT_AT.load(Ordering::SeqCst) {
        POWER_GONE.store(true, Ordering::SeqCst);
        return false;
    }
    true
}

#[repr(C)]
struct ShimFile {
    base: ffi::sqlite3_file,
    real: *mut ffi::sqlite3_file,
    /// The file's path when it has one (temporary files have none and are not logged).
    path: *mut String,
}

fn real_vfs() -> *mut ffi::sqlite3_vfs {
    static REAL: OnceLock<usize> = OnceLock::new();
    *REAL.get_or_init(|| unsafe { ffi::sqlite3_vfs_find(std::ptr::null()) } as usize)
        as *mut ffi::sqlite3_vfs
}

unsafe fn real_methods(
    file: *mut ffi::sqlite3_file,
) -> (*mut ffi::sqlite3_file, &'static ffi::sqlite3_io_methods) {
    unsafe {
        let real = (*(file as *mut ShimFile)).real;
        (real, &*(*real).pMethods)
    }
}

unsafe fn path_of(file: *mut ffi::sqlite3_file) -> Option<&'static String> {
    unsafe {
        let path = (*(file as *mut ShimFile)).path;
        (!path.is_null()).then(|| &*path)
    }
}

unsafe fn size_of_real(file: *mut ffi::sqlite3_file) -> u64 {
    unsafe {
        let (real, m) = real_methods(file);
        let mut size: ffi::sqlite3_int64 = 0;
        m.xFileSize.unwrap()(real, &mut size);
        u64::try_from(size).unwrap_or(0)
    }
}

unsafe fn read_real(file: *mut ffi::sqlite3_file, offset: u64, len: u64) -> Vec<u8> {
    unsafe {
        let (real, m) = real_methods(file);
        let mut buf = vec![0u8; usize::try_from(len).unwrap()];
        if !buf.is_empty() {
            m.xRead.unwrap()(
                real,
                buf.as_mut_ptr().cast(),
                c_int::try_from(len).unwrap(),
                i64::try_from(offset).unwrap(),
            );
        }
        buf
    }
}

unsafe extern "C" fn shim_close(file: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let shim = file as *mut ShimFile;
        let (real, m) = real_methods(file);
        let rc = m.xClose.unwrap()(real);
        let size = usize::try_from((*real_vfs()).szOsFile).unwrap();
        drop(Vec::from_raw_parts(real.cast::<u8>(), 0, size));
        if !(*shim).path.is_null() {
            drop(Box::from_raw((*shim).path));
        }
        rc
    }
}

unsafe extern "C" fn shim_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    unsafe {
        let (real, m) = real_methods(file);
        m.xRead.unwrap()(real, buf, amount, offset)
    }
}

unsafe extern "C" fn shim_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    unsafe {
        if !power_on() {
            return ffi::SQLITE_IOERR_WRITE;
        }
        if let Some(path) = path_of(file) {
            let (offset_u, amount_u) = (
                u64::try_from(offset).unwrap(),
                u64::try_from(amount).unwrap(),
            );
            let size = size_of_real(file);
            let covered = size.saturating_sub(offset_u).min(amount_u);
            let old = read_real(file, offset_u, covered);
            unsynced()
                .lock()
                .unwrap()
                .entry(path.clone())
                .or_default()
                .push(Undo::Write {
                    offset: offset_u,
                    size,
                    old,
                });
        }
        let (real, m) = real_methods(file);
        m.xWrite.unwrap()(real, buf, amount, offset)
    }
}

unsafe extern "C" fn shim_truncate(file: *mut ffi::sqlite3_file, to: i64) -> c_int {
    unsafe {
        if !power_on() {
            return ffi::SQLITE_IOERR_TRUNCATE;
        }
        if let Some(path) = path_of(file) {
            let size = size_of_real(file);
            let to_u = u64::try_from(to).unwrap();
            let tail = read_real(file, to_u, size.saturating_sub(to_u));
            unsynced()
                .lock()
                .unwrap()
                .entry(path.clone())
                .or_default()
                .push(Undo::Truncate {
                    size,
                    tail,
                    to: to_u,
                });
        }
        let (real, m) = real_methods(file);
        m.xTruncate.unwrap()(real, to)
    }
}

unsafe extern "C" fn shim_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    unsafe {
        if !power_on() {
            return ffi::SQLITE_IOERR_FSYNC;
        }
        let (real, m) = real_methods(file);
        let rc = m.xSync.unwrap()(real, flags);
        if rc == ffi::SQLITE_OK
            && let Some(path) = path_of(file)
        {
            unsynced().lock().unwrap().remove(path);
        }
        rc
    }
}

macro_rules! forward {
    ($name:ident, $field:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            unsafe {
                let (real, m) = real_methods(file);
                m.$field.unwrap()(real $(, $arg)*)
            }
        }
    };
}

forward!(shim_file_size, xFileSize, (size: *mut i64));
forward!(shim_lock, xLock, (level: c_int));
forward!(shim_unlock, xUnlock, (level: c_int));
forward!(shim_check_reserved, xCheckReservedLock, (out: *mut c_int));
forward!(shim_file_control, xFileControl, (op: c_int, arg: *mut c_void));
forward!(shim_sector_size, xSectorSize, ());
forward!(shim_device_characteristics, xDeviceCharacteristics, ());
forward!(shim_shm_lock, xShmLock, (offset: c_int, n: c_int, flags: c_int));
forward!(shim_shm_unmap, xShmUnmap, (delete: c_int));

unsafe extern "C" fn shim_shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    unsafe {
        let (real, m) = real_methods(file);
        m.xShmMap.unwrap()(real, page, size, extend, out)
    }
}

unsafe extern "C" fn shim_shm_barrier(file: *mut ffi::sqlite3_file) {
    unsafe {
        let (real, m) = real_methods(file);
        m.xShmBarrier.unwrap()(real);
    }
}

fn shim_methods() -> *const ffi::sqlite3_io_methods {
    static METHODS: OnceLock<usize> = OnceLock::new();
    *METHODS.get_or_init(|| {
        // Version 2: shared memory (WAL) but no memory-mapped reads, so every write goes
        // through `xWrite` and is logged.
        let methods = ffi::sqlite3_io_methods {
            iVersion: 2,
            xClose: Some(shim_close),
            xRead: Some(shim_read),
            xWrite: Some(shim_write),
            xTruncate: Some(shim_truncate),
            xSync: Some(shim_sync),
            xFileSize: Some(shim_file_size),
            xLock: Some(shim_lock),
            xUnlock: Some(shim_unlock),
            xCheckReservedLock: Some(shim_check_reserved),
            xFileControl: Some(shim_file_control),
            xSectorSize: Some(shim_sector_size),
            xDeviceCharacteristics: Some(shim_device_characteristics),
            xShmMap: Some(shim_shm_map),
            xShmLock: Some(shim_shm_lock),
            xShmBarrier: Some(shim_shm_barrier),
            xShmUnmap: Some(shim_shm_unmap),
            xFetch: None,
            xUnfetch: None,
        };
        Box::leak(Box::new(methods)) as *const _ as usize
    }) as *const ffi::sqlite3_io_methods
}

unsafe extern "C" fn shim_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    unsafe {
        let shim = file as *mut ShimFile;
        let size = usize::try_from((*real_vfs()).szOsFile).unwrap();
        let real = Vec::<u8>::with_capacity(size)
            .leak()
            .as_mut_ptr()
            .cast::<ffi::sqlite3_file>();
        std::ptr::write_bytes(real.cast::<u8>(), 0, size);
        (*shim).real = real;
        (*shim).path = if name.is_null() {
            std::ptr::null_mut()
        } else {
            Box::into_raw(Box::new(
                CStr::from_ptr(name).to_string_lossy().into_owned(),
            ))
        };
        let rc = (*real_vfs()).xOpen.unwrap()(real_vfs(), name, real, flags, out_flags);
        if (*real).pMethods.is_null() {
            (*shim).base.pMethods = std::ptr::null();
            drop(Vec::from_raw_parts(real.cast::<u8>(), 0, size));
            if !(*shim).path.is_null() {
                drop(Box::from_raw((*shim).path));
            }
        } else {
            (*shim).base.pMethods = shim_methods();
        }
        rc
    }
}

unsafe extern "C" fn shim_delete(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    unsafe {
        if !power_on() {
            return ffi::SQLITE_IOERR_DELETE;
        }
        let rc = (*real_vfs()).xDelete.unwrap()(real_vfs(), name, sync_dir);
        unsynced()
            .lock()
            .unwrap()
            .remove(CStr::from_ptr(name).to_string_lossy().as_ref());
        rc
    }
}

unsafe extern "C" fn shim_access(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    unsafe { (*real_vfs()).xAccess.unwrap()(real_vfs(), name, flags, out) }
}

unsafe extern "C" fn shim_full_pathname(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    unsafe { (*real_vfs()).xFullPathname.unwrap()(real_vfs(), name, n, out) }
}

unsafe extern "C" fn shim_randomness(
    _vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    unsafe { (*real_vfs()).xRandomness.unwrap()(real_vfs(), n, out) }
}

unsafe extern "C" fn shim_sleep(_vfs: *mut ffi::sqlite3_vfs, micros: c_int) -> c_int {
    unsafe { (*real_vfs()).xSleep.unwrap()(real_vfs(), micros) }
}

unsafe extern "C" fn shim_current_time(_vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    unsafe { (*real_vfs()).xCurrentTime.unwrap()(real_vfs(), out) }
}

unsafe extern "C" fn shim_last_error(
    _vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    unsafe { (*real_vfs()).xGetLastError.unwrap()(real_vfs(), n, out) }
}

unsafe extern "C" fn shim_current_time_int64(_vfs: *mut ffi::sqlite3_vfs, out: *mut i64) -> c_int {
    unsafe { (*real_vfs()).xCurrentTimeInt64.unwrap()(real_vfs(), out) }
}

/// Makes the shim SQLite's default VFS (once per process).
fn install_shim() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| unsafe {
        let real = &*real_vfs();
        let vfs = ffi::sqlite3_vfs {
            iVersion: 2,
            szOsFile: c_int::try_from(std::mem::size_of::<ShimFile>()).unwrap(),
            mxPathname: real.mxPathname,
            pNext: std::ptr::null_mut(),
            zName: c"jeton-power-loss".as_ptr(),
            pAppData: std::ptr::null_mut(),
            xOpen: Some(shim_open),
            xDelete: Some(shim_delete),
            xAccess: Some(shim_access),
            xFullPathname: Some(shim_full_pathname),
            xDlOpen: None,
            xDlError: None,
            xDlSym: None,
            xDlClose: None,
            xRandomness: Some(shim_randomness),
            xSleep: Some(shim_sleep),
            xCurrentTime: Some(shim_current_time),
            xGetLastError: Some(shim_last_error),
            xCurrentTimeInt64: Some(shim_current_time_int64),
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        };
        let vfs = Box::leak(Box::new(vfs));
        assert_eq!(ffi::sqlite3_vfs_register(vfs, 1), ffi::SQLITE_OK);
    });
}

/// The power comes back: each file keeps the first `keep(len)` of its unsynced changes, the
/// rest undone (newest first); the shared-memory index, never durable, is gone.
fn power_returns(vault_path: &Path, keep: &mut impl FnMut(usize) -> usize) -> usize {
    let log = std::mem::take(&mut *unsynced().lock().unwrap());
    let mut lost = 0;
    for (path, mut changes) in log {
        let Ok(file) = OpenOptions::new().read(true).write(true).open(&path) else {
            continue;
        };
        let kept = keep(changes.len());
        lost += changes.len() - kept;
        while changes.len() > kept {
            match changes.pop().unwrap() {
                Undo::Write { offset, size, old } => {
                    file.set_len(size).unwrap();
                    file.write_all_at(&old, offset).unwrap();
                }
                Undo::Truncate { size, tail, to } => {
                    file.write_all_at(&tail, to).unwrap();
                    assert_eq!(file.metadata().unwrap().len(), size);
                }
            }
        }
    }
    let shm = format!("{}-shm", vault_path.display());
    let _ = std::fs::remove_file(shm);
    OPS.store(0, Ordering::SeqCst);
    CUT_AT.store(u64::MAX, Ordering::SeqCst);
    POWER_GONE.store(false, Ordering::SeqCst);
    lost
}

fn totp(name: &str) -> Account {
    let mut secret = name.as_bytes().to_vec();
    secret.resize(20, b'#');
    Account {
        issuer: Some("Power".into()),
        name: name.into(),
        secret: Secret::from_slice(&secret),
        params: OtpParams::totp(),
    }
}

#[test]
fn power_loss_at_random_points_loses_nothing_committed() {
    let iterations = env_count("JETON_POWER_ITERATIONS", 300);
    let seed = env_seed("JETON_POWER_SEED");
    eprintln!("power-loss test: {iterations} iterations, JETON_POWER_SEED={seed}");
    let mut rng = Rng(seed);
    install_shim();

    let dir = tempfile::tempdir().unwrap();
    let (path, hotp) = vault_with_hotp(dir.path(), PASS);

    let mut committed: BTreeMap<AccountId, String> = BTreeMap::new();
    let mut in_flight: Option<String> = None;
    let mut removing: Option<AccountId> = None;
    let mut highest_step: Option<u64> = None;
    let (mut cuts, mut ops, mut lost) = (0u64, 0u64, 0usize);
    let started = Instant::now();

    for round in 0..iterations {
        let mut vault = Vault::open(&path).unwrap();
        vault.unlock_with_passphrase(PASS).unwrap();
        assert!(
            vault.damaged().is_empty(),
            "round {round}: {:?}",
            vault.damaged()
        );
        let listed: BTreeMap<AccountId, String> = vault
            .list()
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == Kind::Totp)
            .map(|e| (e.id, e.name))
            .collect();
        // Every committed account is there with its own secret; beyond them only the one add
        // that was cut (it may or may not have reached the disk).
        if let Some(id) = removing.take()
            && !listed.contains_key(&id)
        {
            committed.remove(&id);
        }
        for (id, name) in &committed {
            assert_eq!(
                listed.get(id),
                Some(name),
                "round {round}: {name} was committed, then lost"
            );
            assert_eq!(vault.get(*id).unwrap().account, totp(name));
        }
        for (id, name) in &listed {
            if !committed.contains_key(id) {
                assert_eq!(
                    in_flight.as_ref(),
                    Some(name),
                    "round {round}: {name} came back"
                );
                committed.insert(*id, name.clone());
            }
        }
        in_flight = None;
        // A counter once returned is never returned again.
        let step = vault.next_hotp(hotp).unwrap().step;
        assert!(
            highest_step.is_none_or(|h| step > h),
            "round {round}: HOTP step {step} again"
        );
        highest_step = Some(step);

        // The power goes at a random write, truncation or sync of this round's changes.
        CUT_AT.store(1 + rng.below(60), Ordering::SeqCst);
        OPS.store(0, Ordering::SeqCst);
        for k in 0u64.. {
            let outcome = match rng.below(4) {
                0 => vault.next_hotp(hotp).map(|code| {
                    assert!(highest_step.is_none_or(|h| code.step > h));
                    highest_step = Some(code.step);
                }),
                1 if committed.len() > 3 => {
                    let id = *committed
                        .keys()
                        .nth(usize::try_from(rng.below(committed.len() as u64)).unwrap())
                        .unwrap();
                    removing = Some(id);
                    vault.remove(id).map(|()| {
                        committed.remove(&id);
                        removing = None;
                    })
                }
                _ => {
                    let name = format!("r{round}-k{k}");
                    in_flight = Some(name.clone());
                    vault.add(totp(&name)).map(|id| {
                        committed.insert(id, name);
                        in_flight = None;
                    })
                }
            };
            ops += 1;
            if let Err(error) = outcome {
                assert!(
                    POWER_GONE.load(Ordering::SeqCst),
                    "round {round}: {error} with the power on"
                );
                break;
            }
        }
        cuts += 1;
        drop(vault);
        lost += power_returns(&path, &mut |len| {
            usize::try_from(rng.below(len as u64 + 1)).unwrap()
        });
    }
    eprintln!(
        "power-loss test: {cuts} power cuts over {ops} vault operations, {lost} unsynced changes \
         undone, {} accounts at the end, in {:.1?}",
        committed.len(),
        started.elapsed()
    );
}
