//! Every word the pages say, in French (Québec) and in English, apart from the markup that
//! places them (`markup.rs`) and the handlers that choose them (`mod.rs`).

/// A sentence in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// French (Québec): the default.
    pub fr: &'static str,
    /// English (`?lang=en`).
    pub en: &'static str,
}

/// Student number or staff id
pub const STUDENT_NUMBER_OR_STAFF: Text = Text {
    fr: "Numéro de DA ou identifiant du personnel",
    en: "Student number or staff id",
};
/// Password
pub const PASSWORD: Text = Text {
    fr: "Mot de passe",
    en: "Password",
};
/// Log in
pub const LOG_IN: Text = Text {
    fr: "Connexion",
    en: "Log in",
};
/// Log in to Omnivox
pub const LOG_IN_TO_OMNIVOX: Text = Text {
    fr: "Connexion à Omnivox",
    en: "Log in to Omnivox",
};
/// You must set up two-step identity validation for your user account.
pub const YOU_MUST_SET_UP: Text = Text {
    fr: "Vous devez mettre en place la validation d'identité en 2 étapes pour votre compte utilisateur.",
    en: "You must set up two-step identity validation for your user account.",
};
/// Two-step validation means giving two kinds of information to confirm who you are. After yo
pub const TWO_STEP_VALIDATION_MEANS: Text = Text {
    fr: "La validation en 2 étapes consiste à fournir deux types d'informations pour confirmer votre identité. Après avoir entré votre identifiant et votre mot de passe, un code de sécurité à usage unique vous sera demandé.",
    en: "Two-step validation means giving two kinds of information to confirm who you are. After your id and password, you will be asked for a single-use security code.",
};
/// Two-step validation makes logging in to your account even safer.
pub const TWO_STEP_VALIDATION_MAKES: Text = Text {
    fr: "Cette validation d'identité en 2 étapes a pour but de rendre la connexion à votre compte encore plus sécuritaire.",
    en: "Two-step validation makes logging in to your account even safer.",
};
/// Start
pub const START: Text = Text {
    fr: "Commencer",
    en: "Start",
};
/// Two-step validation
pub const TWO_STEP_VALIDATION: Text = Text {
    fr: "Validation en 2 étapes",
    en: "Two-step validation",
};
/// These are the two-step validation methods you can set up for your user account.
pub const THESE_ARE_THE_TWO: Text = Text {
    fr: "Voici la liste des méthodes de validation de l'identité en 2 étapes que vous pouvez mettre en place pour votre compte utilisateur.",
    en: "These are the two-step validation methods you can set up for your user account.",
};
/// Authenticator app
pub const AUTHENTICATOR_APP: Text = Text {
    fr: "Application d'authentification",
    en: "Authenticator app",
};
/// Main email
pub const MAIN_EMAIL: Text = Text {
    fr: "Courriel principal",
    en: "Main email",
};
/// Available methods
pub const AVAILABLE_METHODS: Text = Text {
    fr: "Méthodes disponibles",
    en: "Available methods",
};
/// On your phone, open the authenticator app, tap "+", then scan the QR code below.
pub const ON_YOUR_PHONE_OPEN: Text = Text {
    fr: "Sur votre appareil mobile, ouvrez l'application d'authentification, touchez « + », puis numérisez le code QR ci-dessous.",
    en: "On your phone, open the authenticator app, tap \"+\", then scan the QR code below.",
};
/// QR code to scan with the phone
pub const QR_CODE_TO_SCAN: Text = Text {
    fr: "Code QR à numériser avec le téléphone",
    en: "QR code to scan with the phone",
};
/// Cannot scan? Type this key in the app instead:
pub const CANNOT_SCAN_TYPE_THIS: Text = Text {
    fr: "Impossible de numériser? Entrez plutôt cette clé dans l'application :",
    en: "Cannot scan? Type this key in the app instead:",
};
/// No mobile phone?
pub const NO_MOBILE_PHONE: Text = Text {
    fr: "Pas de téléphone mobile?",
    en: "No mobile phone?",
};
/// Set up another identity validation method
pub const SET_UP_ANOTHER_IDENTITY: Text = Text {
    fr: "Mettre en place une autre méthode de validation d'identité",
    en: "Set up another identity validation method",
};
/// Next
pub const NEXT: Text = Text {
    fr: "Suivant",
    en: "Next",
};
/// VALIDATE
pub const VALIDATE: Text = Text {
    fr: "VALIDER",
    en: "VALIDATE",
};
/// Enter the 6-digit code the authenticator app shows for Omnivox.
pub const ENTER_THE_APP_CODE: Text = Text {
    fr: "Entrez le code à 6 chiffres qui s'affiche dans l'application d'authentification, profil Omnivox.",
    en: "Enter the 6-digit code the authenticator app shows for Omnivox.",
};
/// The first method is set up. Now the email method.
pub const THE_FIRST_METHOD_IS: Text = Text {
    fr: "La première méthode est configurée. On continue avec la méthode par courriel.",
    en: "The first method is set up. Now the email method.",
};
/// Setting up a main email as a validation method is very important. A security code will be
pub const SETTING_UP_A_MAIN: Text = Text {
    fr: "La configuration d'un courriel principal comme méthode de validation d'identité est très importante. Un code de sécurité sera envoyé à ce courriel afin de confirmer votre identité.",
    en: "Setting up a main email as a validation method is very important. A security code will be sent to it to confirm your identity.",
};
/// Students must use their personal email address (Gmail, Yahoo, etc.). Staff members must us
pub const STUDENTS_MUST_USE_THEIR: Text = Text {
    fr: "Les membres de la communauté étudiante doivent utiliser leur adresse courriel personnelle (Gmail, Yahoo, etc.). Les membres du personnel doivent utiliser leur adresse courriel du Cégep.",
    en: "Students must use their personal email address (Gmail, Yahoo, etc.). Staff members must use their college email address.",
};
/// Email address
pub const EMAIL_ADDRESS: Text = Text {
    fr: "Adresse courriel",
    en: "Email address",
};
/// Later
pub const LATER: Text = Text {
    fr: "Plus tard",
    en: "Later",
};
/// NEXT
pub const NEXT_CAPS: Text = Text {
    fr: "SUIVANT",
    en: "NEXT",
};
/// Adding an email
pub const ADDING_AN_EMAIL: Text = Text {
    fr: "Ajout d'un courriel",
    en: "Adding an email",
};
/// A security code was sent to the address you just added. Enter the code you received.
pub const A_SECURITY_CODE_WAS: Text = Text {
    fr: "Un code de sécurité a été envoyé à l'adresse courriel que vous venez d'ajouter. Entrez le code reçu.",
    en: "A security code was sent to the address you just added. Enter the code you received.",
};
/// Two-step validation enabled
pub const TWO_STEP_VALIDATION_ENABLED: Text = Text {
    fr: "Validation en 2 étapes activée",
    en: "Two-step validation enabled",
};
/// From your next login on, you will confirm your identity with one of the methods of your ac
pub const FROM_YOUR_NEXT_LOGIN: Text = Text {
    fr: "Dès votre prochaine connexion, vous devrez confirmer votre identité à l'aide d'une des méthodes associées à votre compte.",
    en: "From your next login on, you will confirm your identity with one of the methods of your account.",
};
/// Manage these methods from the "Two-step validation" service in the services menu.
pub const MANAGE_THESE_METHODS_FROM: Text = Text {
    fr: "La gestion de ces méthodes s'effectue à partir du service « Validation en 2 étapes » disponible dans le menu des services.",
    en: "Manage these methods from the \"Two-step validation\" service in the services menu.",
};
/// Continue
pub const CONTINUE: Text = Text {
    fr: "Continuer",
    en: "Continue",
};
/// Activation complete
pub const ACTIVATION_COMPLETE: Text = Text {
    fr: "Activation terminée",
    en: "Activation complete",
};
/// Enter the authenticator app's code or, once requested, the code received by email.
pub const ENTER_THE_AUTHENTICATOR_APP: Text = Text {
    fr: "Entrez le code de l'application d'authentification ou, après l'avoir demandé, le code reçu par courriel.",
    en: "Enter the authenticator app's code or, once requested, the code received by email.",
};
/// Code received by email
pub const CODE_RECEIVED_BY_EMAIL: Text = Text {
    fr: "Code reçu par courriel",
    en: "Code received by email",
};
/// Email me a code
pub const EMAIL_ME_A_CODE: Text = Text {
    fr: "Envoyer un code par courriel",
    en: "Email me a code",
};
/// A code was sent to your main email.
pub const A_CODE_WAS_SENT: Text = Text {
    fr: "Un code a été envoyé à votre courriel principal.",
    en: "A code was sent to your main email.",
};
/// Identity validation
pub const IDENTITY_VALIDATION: Text = Text {
    fr: "Validation de l'identité",
    en: "Identity validation",
};
/// Welcome to Omnivox,
pub const WELCOME_TO_OMNIVOX: Text = Text {
    fr: "Bienvenue dans Omnivox,",
    en: "Welcome to Omnivox,",
};
/// Log out
pub const LOG_OUT: Text = Text {
    fr: "Se déconnecter",
    en: "Log out",
};
/// Home
pub const HOME: Text = Text {
    fr: "Accueil",
    en: "Home",
};
/// Staff id
pub const STAFF_ID: Text = Text {
    fr: "Identifiant du personnel",
    en: "Staff id",
};
/// 6-digit validation code (the same as for Omnivox)
pub const CLARA_CODE: Text = Text {
    fr: "Code de validation à 6 chiffres (le même que pour Omnivox)",
    en: "6-digit validation code (the same as for Omnivox)",
};
/// Identity confirmed. Welcome to Clara.
pub const IDENTITY_CONFIRMED_WELCOME_TO: Text = Text {
    fr: "Identité confirmée. Bienvenue dans Clara.",
    en: "Identity confirmed. Welcome to Clara.",
};
/// A form posted without the page's CSRF token.
pub const FORM_EXPIRED: Text = Text {
    fr: "Ce formulaire a expiré. Rechargez la page et réessayez.",
    en: "This form has expired. Reload the page and try again.",
};
