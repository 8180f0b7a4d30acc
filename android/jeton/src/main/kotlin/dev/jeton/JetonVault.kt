package dev.jeton

import dev.jeton.ffi.AutoBackupOutcome
import dev.jeton.ffi.AutoBackupSetting
import dev.jeton.ffi.CodeSheet
import dev.jeton.ffi.HandoffReceiver
import dev.jeton.ffi.HandoffSeries
import dev.jeton.ffi.ImportSummary
import dev.jeton.ffi.KdfParameters
import dev.jeton.ffi.KeyWrapper
import dev.jeton.ffi.MigrationScans
import dev.jeton.ffi.Pairing
import dev.jeton.ffi.PairingInvitation
import dev.jeton.ffi.SyncStore
import dev.jeton.ffi.SyncSummary
import dev.jeton.ffi.Vault
import dev.jeton.ffi.VaultAccounts
import dev.jeton.ffi.VaultKeys
import dev.jeton.ffi.VaultSync
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.withContext

/**
 * An open vault file. [close] locks it (the key and decrypted accounts are dropped in Rust) and
 * releases it; use it with `use { }` or tie it to a lifecycle.
 *
 * Calls that take time are `suspend` and run on [cpu] (Argon2id, a keystore, parsing a file) or
 * [io] (sync storage), never on the caller's thread; the Rust side never holds the vault while
 * they run, so the code ticker goes on meanwhile. Pass other dispatchers in tests.
 */
class JetonVault internal constructor(
    private val vault: Vault,
    private val cpu: CoroutineDispatcher = Dispatchers.Default,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    /** List, add, update, reorder, remove, and the codes of every account. */
    val accounts: VaultAccounts = vault.accounts()

    /** The passphrase and device keystore slots. */
    val keys: VaultKeys = vault.keys()

    private val syncing: VaultSync = vault.sync()

    /** Whether [unlock] is needed before the accounts can be read. */
    val isLocked: Boolean get() = vault.isLocked()

    /** Unlocks with the passphrase (Argon2id). @throws dev.jeton.ffi.JetonException.WrongPassphrase */
    suspend fun unlock(passphrase: String) = withContext(cpu) { vault.unlockWithPassphrase(passphrase) }

    /**
     * Unlocks with the device keystore. @throws dev.jeton.ffi.JetonException.Keystore when the
     * keystore cannot: ask for the passphrase instead.
     */
    suspend fun unlock(key: KeyWrapper) = withContext(cpu) { vault.unlockWithKey(key) }

    /** Lets the device keystore [key] open the vault too (the passphrase still does). */
    suspend fun addPlatformSlot(key: KeyWrapper) = withContext(cpu) { keys.addPlatformSlot(key) }

    /** Replaces the passphrase (Argon2id); no account is rewritten. */
    suspend fun changePassphrase(newPassphrase: String) = withContext(cpu) { keys.changePassphrase(newPassphrase) }

    /**
     * Imports a file another app (or Jeton) wrote, all or nothing, with its [password] if it is
     * encrypted. @throws dev.jeton.ffi.JetonException.PasswordRequired when it is and none was
     * given: ask, then import again; `WrongPassphrase`; `InvalidFile`.
     */
    suspend fun importFile(bytes: ByteArray, password: String? = null): ImportSummary =
        withContext(cpu) { accounts.importFile(bytes, password) }

    /**
     * Imports a Google Authenticator export whose QR codes were all added to [scans] (from
     * [Jeton.scan]'s `ScannedContent.Migration` parts), all or nothing.
     * @throws dev.jeton.ffi.JetonException.InvalidFile while a code of the export is missing.
     */
    suspend fun importScans(scans: MigrationScans): ImportSummary = withContext(cpu) { scans.importInto(accounts) }

    /** Every account as an encrypted Jeton backup that opens with [passphrase] (Argon2id). */
    suspend fun exportBackup(passphrase: String): ByteArray = withContext(cpu) { accounts.exportBackup(passphrase) }

    /** Drops the key and decrypted accounts until the next unlock. */
    fun lock() = vault.lock()

    /**
     * Checks the device clock against a server's HTTP `Date` header (read from a response to a
     * request sent at [sentMillis] and received at [receivedMillis], device time) and keeps the
     * correction with the vault. Returns the offset in seconds (server minus device).
     */
    fun checkClock(dateHeader: String, sentMillis: Long, receivedMillis: Long): Long =
        vault.checkClock(dateHeader, sentMillis.toULong(), receivedMillis.toULong())

    /** The stored clock correction in seconds, or null before any [checkClock]. */
    val clockOffsetSeconds: Long? get() = vault.clockOffsetSeconds()

    /**
     * The codes of every account, once now and then each second: one call per tick, at the
     * device's time corrected by the stored clock offset.
     */
    fun codeTicks(clock: Clock = Clock.system): Flow<VaultTick> =
        everySecond(clock).map { unix -> VaultTick(unix, codeRowsAt(unix)) }.flowOn(cpu)

    /**
     * Every account's code at [deviceUnixSeconds] (device time, corrected like [codeTicks]) in
     * one call that crosses as one string ([dev.jeton.ffi.CodeSheet]), read into rows.
     */
    fun codeRowsAt(deviceUnixSeconds: Long): List<CodeRow> =
        CodeRow.rowsOf(accounts.deviceCodeSheetAt(deviceUnixSeconds.toULong()))

    /**
     * Turns automatic backups on: after each change, an encrypted backup in [folder] (a path),
     * the newest [keep] kept, each opening with the vault's [passphrase]. Writes the first one
     * at once ([lastAutoBackup] says how it went). Argon2id runs off the caller's thread.
     */
    suspend fun setAutoBackup(folder: String, keep: Int, passphrase: String) =
        withContext(cpu) { vault.setAutoBackup(folder, keep.toUInt(), passphrase) }

    /** Turns automatic backups off; the backups written stay. */
    fun turnOffAutoBackup() = vault.turnOffAutoBackup()

    /** The automatic backup setting, or null when they are off. */
    val autoBackup: AutoBackupSetting? get() = vault.autoBackup()

    /** What the last automatic backup did (a failed one never undoes the change), or null. */
    val lastAutoBackup: AutoBackupOutcome? get() = vault.lastAutoBackup()

    /** Whether this vault syncs with the person's other devices. */
    val isSyncSetUp: Boolean get() = syncing.isSetUp()

    /**
     * Sets up sync on [store] with this device as the first one, then syncs.
     * @throws dev.jeton.ffi.JetonException.SyncState when the store already holds a sync: pair
     * with a device of that sync instead.
     */
    suspend fun startSync(store: SyncStore): SyncSummary = withContext(io) {
        syncing.setUp(store)
        syncing.sync(store)
    }

    /** Joins the sync that [pairing] (from [acceptPairing]) opens on [store], then syncs. */
    suspend fun joinSync(store: SyncStore, pairing: Pairing): SyncSummary = withContext(io) {
        syncing.join(store, pairing)
        syncing.sync(store)
    }

    /**
     * Joins the sync on [store] with its recovery passphrase alone (a lost phone: no device to
     * pair from), then syncs. @throws dev.jeton.ffi.JetonException.WrongPassphrase
     */
    suspend fun joinSync(store: SyncStore, recoveryPassphrase: String): SyncSummary = withContext(io) {
        syncing.joinWithPassphrase(store, recoveryPassphrase)
        syncing.sync(store)
    }

    /**
     * Lets a new device join with [passphrase] alone if this one is lost: the sync key goes on
     * [store] sealed with it (Argon2id), replacing the one set before. Ask for a strong one.
     */
    suspend fun setRecoveryPassphrase(store: SyncStore, passphrase: String) =
        withContext(io) { syncing.setRecoveryPassphrase(store, passphrase) }

    /**
     * Sends this device's changes to [store] and applies the other devices', off the caller's
     * thread. Nothing is applied when it throws: `SyncStorage` (try again later), `SyncRefused`
     * (the store went back in time or was altered: tell the user), `SyncState`.
     */
    suspend fun sync(store: SyncStore): SyncSummary = withContext(io) { syncing.sync(store) }

    /**
     * A pairing invitation for a new device: show [PairingInvitation.payload] as a QR code and
     * [PairingInvitation.code] beside it. [storeAddress] is what the new device opens.
     */
    suspend fun invite(storeAddress: String): PairingInvitation =
        withContext(cpu) { syncing.invite(storeAddress) }

    /**
     * Every account as a series of sealed QR codes for a new phone with no storage at all:
     * show each of [HandoffSeries.frames] as a QR code and [HandoffSeries.code] beside them.
     */
    suspend fun handOff(): HandoffSeries = withContext(cpu) { accounts.handOff() }

    /**
     * Imports the accounts of a series whose QR codes were all fed to [receiver], opened with
     * the [code] typed by the user. @throws dev.jeton.ffi.JetonException.WrongPassphrase
     */
    suspend fun receiveHandoff(receiver: HandoffReceiver, code: String): ImportSummary =
        withContext(cpu) { accounts.receiveHandoff(receiver, code) }

    /** This device leaves the sync; its accounts stay. */
    fun leaveSync() = syncing.leave()

    override fun close() {
        try {
            vault.lock()
        } finally {
            accounts.close()
            keys.close()
            syncing.close()
            vault.close()
        }
    }

    /** Opening and creating vault files. */
    companion object {
        /**
         * Creates a vault at [path] protected by [passphrase] (Argon2id, on [cpu]); it is
         * returned unlocked. Its slow calls run on [cpu] and [io].
         */
        suspend fun create(
            path: String,
            passphrase: String,
            kdf: KdfParameters? = null,
            cpu: CoroutineDispatcher = Dispatchers.Default,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): JetonVault = withContext(cpu) {
            val vault = if (kdf == null) Vault.create(path, passphrase) else Vault.createWithKdf(path, passphrase, kdf)
            JetonVault(vault, cpu, io)
        }

        /** Opens the vault at [path], locked (quick: nothing is derived). */
        fun open(
            path: String,
            cpu: CoroutineDispatcher = Dispatchers.Default,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): JetonVault = JetonVault(Vault.open(path), cpu, io)

        /**
         * Opens a scanned pairing QR code with the [code] the user typed (Argon2id, off the
         * caller's thread). @throws dev.jeton.ffi.JetonException.WrongPassphrase for a wrong
         * code, `Pairing` for an expired or foreign QR code.
         */
        suspend fun acceptPairing(payload: String, code: String): Pairing =
            withContext(Dispatchers.Default) { dev.jeton.ffi.acceptPairing(payload, code) }
    }
}

/** The codes of a vault at one second, in the user's order. */
data class VaultTick(
    /** The second the codes are for. */
    val unixSeconds: Long,
    /** One row per account. */
    val rows: List<CodeRow>,
)

/**
 * One account's row of a tick: its [code] and the seconds it has left, or no code (a
 * counter-based account, whose code is taken with `nextHotp`, or a [problem]).
 */
data class CodeRow(
    /** The account's id. */
    val id: String,
    /** The code to show, if the account has one now. */
    val code: String?,
    /** Seconds until the next code (0 when there is no code). */
    val secondsLeft: Int,
    /** Why the account has no code now, for a person (null for counter-based accounts). */
    val problem: String? = null,
) {
    /** Reading a [CodeSheet]. */
    companion object {
        /** The rows of [sheet], in its order: its lines are `<id> <code> <seconds left>`, or `<id>`. */
        fun rowsOf(sheet: CodeSheet): List<CodeRow> {
            val problems = sheet.failures.associate { it.id to it.reason }
            val rows = ArrayList<CodeRow>(sheet.lines.length / 50)
            for (line in sheet.lines.splitToSequence('\n')) {
                if (line.isEmpty()) continue
                val parts = line.split(' ', limit = 3)
                rows += if (parts.size == 3) {
                    CodeRow(parts[0], parts[1], parts[2].toIntOrNull() ?: 0)
                } else {
                    CodeRow(parts[0], null, 0, problems[parts[0]])
                }
            }
            return rows
        }
    }
}
