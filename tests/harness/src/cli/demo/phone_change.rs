//! The demo's phone change (steps 13 to 16): the student's phone syncs, a new phone pairs by
//! scanning its QR code, Omnivox accepts the new phone's code, and the old phone leaves.

use super::*;

impl Demo<'_> {
    /// The student changes phones: sync, pairing by QR code, a login with the new phone, and
    /// the old phone leaving the sync.
    pub(super) async fn phone_change(
        &mut self,
        old: Phone,
        student_id: AccountId,
    ) -> Result<(), String> {
        let e = |error: CliError| error.to_string();
        let mut old_vault = old.vault;
        let student_label = old_vault
            .get(student_id)
            .map_err(|e| e.to_string())?
            .account
            .display_label();

        self.begin(
            "Marie change de téléphone : l'ancien active la synchronisation chiffrée de bout en bout.",
            "Marie is changing phones: the old one turns on end-to-end encrypted sync.",
        )
        .map_err(e)?;
        std::fs::create_dir_all(&self.sync_folder)
            .map_err(|e| format!("cannot create the sync folder: {e}"))?;
        let address = self
            .sync_folder
            .to_str()
            .ok_or("the sync folder's path is not UTF-8")?
            .to_owned();
        let store = FolderStore::new(&self.sync_folder).map_err(|e| e.to_string())?;
        sync::init(&mut old_vault, &store).map_err(|e| format!("sync init: {e}"))?;
        let report = sync::sync(&mut old_vault, &store).map_err(|e| format!("sync: {e}"))?;
        let accounts = old_vault.list().map_err(|e| e.to_string())?.len();
        let files = sealed_files(&self.sync_folder, &[STUDENT, STAFF, "Omnivox"])?;
        self.done(
            &format!("Dossier de synchro {address} : {accounts} comptes envoyés ({} changements) dans {files} fichiers, sans aucun nom en clair.", report.sent),
            &format!("Sync folder {address}: {accounts} accounts sent ({} changes) in {files} files, with no name in the clear.", report.sent),
        )
        .map_err(e)?;

        self.begin(
            "Le nouveau téléphone numérise le code QR de jumelage de l'ancien, puis on tape le code affiché.",
            "The new phone scans the old one's pairing QR code, then the code shown beside it is typed.",
        )
        .map_err(e)?;
        let key = sync::key(&old_vault).map_err(|e| e.to_string())?;
        let invitation =
            pair::invite(&key, &address, self.now()).map_err(|e| format!("pairing: {e}"))?;
        let png = draw::png(&invitation.payload, 8)
            .map_err(|e| format!("cannot draw the pairing QR code: {e}"))?;
        let scanned = scan_qr_png(&png)?;
        let pairing = pair::accept(&scanned, &invitation.code, self.now())
            .map_err(|e| format!("the new phone cannot pair: {e}"))?;
        let mut new_vault = Vault::create(&self.new_vault_path, NEW_PHONE_PASSPHRASE)
            .map_err(|e| format!("cannot create the new phone's vault: {e}"))?;
        let store = FolderStore::new(&pairing.store).map_err(|e| e.to_string())?;
        sync::join(&mut new_vault, &store, &pairing.key).map_err(|e| format!("join: {e}"))?;
        let report = sync::sync(&mut new_vault, &store).map_err(|e| format!("sync: {e}"))?;
        let mut labels = Vec::new();
        for entry in old_vault.list().map_err(|e| e.to_string())? {
            let mine = old_vault.get(entry.id).map_err(|e| e.to_string())?;
            let found = new_vault
                .list()
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|other| other.label() == entry.label())
                .map(|other| new_vault.get(other.id))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            match found.as_slice() {
                [theirs] if theirs.account == mine.account => labels.push(entry.label()),
                [] => return Err(format!("the new phone lacks « {} »", entry.label())),
                _ => return Err(format!("the new phone's « {} » differs", entry.label())),
            }
        }
        if report.added != labels.len()
            || new_vault.list().map_err(|e| e.to_string())?.len() != labels.len()
        {
            return Err(format!(
                "the new phone added {} accounts, {} expected",
                report.added,
                labels.len()
            ));
        }
        let listed = labels
            .iter()
            .map(|l| format!("« {l} »"))
            .collect::<Vec<_>>()
            .join(", ");
        let listed_en = labels
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(", ");
        self.done(
            &format!(
                "Code QR de jumelage ({} octets PNG, dessiné par Jeton) lu ; code {} accepté ; {} comptes reçus, identiques : {listed}.",
                png.len(),
                invitation.code.as_str(),
                labels.len()
            ),
            &format!(
                "Pairing QR code ({} bytes of PNG, drawn by Jeton) read; code {} accepted; {} accounts received, identical: {listed_en}.",
                png.len(),
                invitation.code.as_str(),
                labels.len()
            ),
        )
        .map_err(e)?;

        self.begin(
            "Connexion à Omnivox avec le code du nouveau téléphone.",
            "Logging in to Omnivox with the new phone's code.",
        )
        .map_err(e)?;
        self.clock.advance(30);
        let new_phone = Phone {
            vault: new_vault,
            clock_error: 0,
            correction: ClockOffset::ZERO,
        };
        let (token, next) = self.login(STUDENT).await?;
        if next != "verify" {
            return Err(format!("expected to be asked for a code, got {next:?}"));
        }
        let new_id = new_phone
            .vault
            .list()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|entry| entry.label() == student_label)
            .ok_or("the new phone has no student account")?
            .id;
        let code = self.phone_code(&new_phone, new_id)?;
        self.verify_totp(&token, &code).await?;
        self.done(
            &format!("Code {code} du nouveau téléphone accepté : bienvenue dans Omnivox."),
            &format!("The new phone's code {code} accepted: welcome to Omnivox."),
        )
        .map_err(e)?;

        self.begin(
            "L'ancien téléphone quitte la synchronisation ; le nouveau synchronise toujours.",
            "The old phone leaves the sync; the new one still syncs.",
        )
        .map_err(e)?;
        sync::leave(&mut old_vault).map_err(|e| format!("leave: {e}"))?;
        if sync::is_set_up(&old_vault).map_err(|e| e.to_string())? {
            return Err("the old phone still syncs after leaving".to_owned());
        }
        let mut new_vault = new_phone.vault;
        let report = sync::sync(&mut new_vault, &store)
            .map_err(|e| format!("the new phone's sync after the old one left: {e}"))?;
        if report.added + report.removed + report.updated != 0 {
            return Err(format!(
                "a sync with nothing new changed the vault: {report:?}"
            ));
        }
        self.done(
            &format!(
                "L'ancien téléphone a oublié la clé de synchro (ses comptes restent dans son coffre) ; synchro du nouveau : aucun changement, {} comptes.",
                new_vault.list().map_err(|e| e.to_string())?.len()
            ),
            &format!(
                "The old phone forgot the sync key (its accounts stay in its vault); the new phone's sync: no change, {} accounts.",
                new_vault.list().map_err(|e| e.to_string())?.len()
            ),
        )
        .map_err(e)?;
        Ok(())
    }
}

/// Counts the files under `folder`, checking that none holds any of `names` in the clear.
fn sealed_files(folder: &std::path::Path, names: &[&str]) -> Result<usize, String> {
    let mut count = 0;
    let mut pending = vec![folder.to_owned()];
    while let Some(dir) = pending.pop() {
        for item in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = item.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            let shown = path.strip_prefix(folder).unwrap_or(&path).to_string_lossy();
            if let Some(name) = names
                .iter()
                .find(|n| text.contains(**n) || shown.contains(**n))
            {
                return Err(format!("{} shows {name} in the clear", path.display()));
            }
            count += 1;
        }
    }
    Ok(count)
}
