//! Reed–Solomon error correction of the data codewords, block by block, in the layout the
//! version and level give.

/// How a version and level split the codewords into blocks.
pub(super) struct Layout {
    /// The data codewords' index in the stream for each block, in order.
    blocks: Vec<Vec<usize>>,
    /// Error correction codewords per block.
    ec: usize,
    /// Data codewords in all.
    data: usize,
}

impl Layout {
    /// The layout of `version` at `level`, from the `qrcode` encoder: it interleaves data whose
    /// bytes are each codeword's own index, so the interleaved order names every position.
    pub(super) fn of(version: usize, level: qrcode::EcLevel) -> Option<Self> {
        let qr_version = qrcode::Version::Normal(i16::try_from(version).ok()?);
        let data = qrcode::bits::Bits::new(qr_version).max_len(level).ok()? / 8;
        let low: Vec<u8> = (0..data).map(|i| (i % 256) as u8).collect();
        let high: Vec<u8> = (0..data).map(|i| (i / 256) as u8).collect();
        let (low, ec_all) = qrcode::ec::construct_codewords(&low, qr_version, level).ok()?;
        let (high, _) = qrcode::ec::construct_codewords(&high, qr_version, level).ok()?;
        let order: Vec<usize> = low
            .iter()
            .zip(&high)
            .map(|(&l, &h)| usize::from(h) * 256 + usize::from(l))
            .collect();
        // The first codeword of every block comes first; the second of block 0 ends that round.
        let count = order.iter().position(|&i| i == 1)?;
        let mut blocks = vec![Vec::new(); count];
        let starts: Vec<usize> = order.get(..count)?.to_vec();
        for (position, &index) in order.iter().enumerate() {
            let block = starts.iter().rposition(|&s| s <= index)?;
            blocks.get_mut(block)?.push(position);
        }
        Some(Self {
            blocks,
            ec: ec_all.len() / count,
            data,
        })
    }

    /// The corrected data codewords, in order, or `None` when a block has too many errors.
    pub(super) fn correct(&self, stream: &[u8]) -> Option<Vec<u8>> {
        let count = self.blocks.len();
        let mut out = Vec::with_capacity(self.data);
        for (b, positions) in self.blocks.iter().enumerate() {
            let mut block: Vec<u8> = positions
                .iter()
                .map(|&p| stream.get(p).copied())
                .collect::<Option<_>>()?;
            for j in 0..self.ec {
                block.push(*stream.get(self.data + j * count + b)?);
            }
            correct_block(&mut block, self.ec)?;
            out.extend_from_slice(block.get(..positions.len())?);
        }
        Some(out)
    }
}

/// GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1: powers of α and their logarithms.
struct Field {
    exp: [u8; 512],
    log: [u8; 256],
}

const FIELD: Field = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 510 {
        exp[i] = x as u8;
        if i < 255 {
            log[x as usize] = i as u8;
        }
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        if i == 254 {
            x = 1;
        }
        i += 1;
    }
    Field { exp, log }
};

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    FIELD.exp[usize::from(FIELD.log[usize::from(a)]) + usize::from(FIELD.log[usize::from(b)])]
}

fn div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    FIELD.exp[usize::from(FIELD.log[usize::from(a)]) + 255 - usize::from(FIELD.log[usize::from(b)])]
}

/// α to the power `i`.
fn alpha(i: usize) -> u8 {
    FIELD.exp[i % 255]
}

/// Evaluates a polynomial given lowest degree first.
fn eval_low(poly: &[u8], x: u8) -> u8 {
    poly.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Corrects a Reed–Solomon block (codewords highest degree first, `ec` check codewords,
/// generator roots α⁰…α^(ec−1)) in place: Berlekamp–Massey, Chien search, Forney.
pub(super) fn correct_block(block: &mut [u8], ec: usize) -> Option<()> {
    let syndromes = |block: &[u8]| -> Vec<u8> {
        (0..ec)
            .map(|i| block.iter().fold(0, |acc, &c| mul(acc, alpha(i)) ^ c))
            .collect()
    };
    let s = syndromes(block);
    if s.iter().all(|&v| v == 0) {
        return Some(());
    }
    // Berlekamp–Massey: the error locator Λ, lowest degree first.
    let mut lambda = vec![1u8];
    let mut prev = vec![1u8];
    let (mut l, mut m, mut b) = (0usize, 1usize, 1u8);
    for n in 0..ec {
        let d = (1..=l).fold(s[n], |acc, i| {
            acc ^ mul(lambda.get(i).copied().unwrap_or(0), s[n - i])
        });
        if d == 0 {
            m += 1;
            continue;
        }
        let coef = div(d, b);
        let mut next = lambda.clone();
        next.resize(next.len().max(prev.len() + m), 0);
        for (i, &p) in prev.iter().enumerate() {
            next[i + m] ^= mul(coef, p);
        }
        if 2 * l <= n {
            prev = std::mem::replace(&mut lambda, next);
            l = n + 1 - l;
            b = d;
            m = 1;
        } else {
            lambda = next;
            m += 1;
        }
    }
    if 2 * l > ec {
        return None;
    }
    // Ω = S·Λ mod x^ec; Λ' keeps the odd terms.
    let mut omega = vec![0u8; ec];
    for (i, &li) in lambda.iter().enumerate() {
        for (j, &sj) in s.iter().enumerate() {
            if i + j < ec {
                omega[i + j] ^= mul(li, sj);
            }
        }
    }
    let derivative: Vec<u8> = lambda
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &c)| if i % 2 == 1 { c } else { 0 })
        .collect();
    let n = block.len();
    let mut found = 0;
    for power in 0..n {
        // The error at x^power sits at index n − 1 − power; X = α^power, X⁻¹ = α^(255 − power).
        let x_inv = alpha(255 - power % 255);
        if eval_low(&lambda, x_inv) != 0 {
            continue;
        }
        let denominator = eval_low(&derivative, x_inv);
        if denominator == 0 {
            return None;
        }
        let magnitude = mul(alpha(power), div(eval_low(&omega, x_inv), denominator));
        block[n - 1 - power] ^= magnitude;
        found += 1;
    }
    (found == l && syndromes(block).iter().all(|&v| v == 0)).then_some(())
}
