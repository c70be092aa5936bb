//! Argon2id password hashing. Hashing costs ~20 ms of CPU at OWASP's parameters, so callers run
//! it on the blocking pool, never on the async executor.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

use crate::config::Argon2Params;
use crate::domain::user::NewPassword;

/// Hashing failed (bad parameters); never shown to users.
#[derive(Debug, thiserror::Error)]
#[error("password hashing: {0}")]
pub struct PasswordError(String);

fn hasher(p: Argon2Params) -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
        .map_err(|e| PasswordError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a policy-checked password into a PHC string (`$argon2id$v=19$m=…`).
pub fn hash(params: Argon2Params, password: &NewPassword) -> Result<String, PasswordError> {
    hash_raw(params, password.expose())
}

fn hash_raw(params: Argon2Params, password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher(params)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

/// Check a candidate against a stored PHC string. The cost parameters come from the string,
/// so hashes made with older settings keep working.
pub fn verify(stored: &str, candidate: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_ok()
}

/// A hash of a random password with the current parameters. Login verifies against it when
/// the username does not exist, so an unknown user costs the same time as a wrong password.
pub fn dummy_hash(params: Argon2Params) -> Result<String, PasswordError> {
    hash_raw(params, &crate::auth::session::random_token())
}

/// A random password that satisfies the policy, for the first admin and CLI resets.
pub fn generate_password() -> String {
    // 20 characters from an alphabet without look-alikes (0/O, 1/l/I): ~115 bits.
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Argon2Params = Argon2Params {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn a_hash_verifies_the_right_password_and_not_a_wrong_one() {
        let pw = NewPassword::parse("en-lång-och-ovanlig-fras").unwrap();
        let h = hash(CHEAP, &pw).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "en-lång-och-ovanlig-fras"));
        assert!(!verify(&h, "en-lång-och-ovanlig-fraz"));
    }

    #[test]
    fn the_default_parameters_are_owasps() {
        let pw = NewPassword::parse("en-lång-och-ovanlig-fras").unwrap();
        let h = hash(Argon2Params::default(), &pw).unwrap();
        assert!(h.contains("m=19456,t=2,p=1"), "{h}");
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..20 {
            assert!(NewPassword::parse(&generate_password()).is_ok());
        }
    }
}
