// Writes src/core/people/common-passwords.txt: 1,000 passwords people pick most, built from the
// well-known patterns of public breach lists (digit runs, keyboard walks, words with years and
// counters). Run again only to change the patterns; the file is checked in.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const runs = ["1234567890", "0123456789", "0987654321", "9876543210", "12345678910", "123456789", "12345678", "1234567", "123456", "123123123", "123123123123", "1231231234", "1122334455", "1212121212", "1029384756", "1357924680", "147258369", "159753", "987654321", "11223344", "00000000", "11111111", "12341234", "123321", "654321", "112233", "121212", "666666", "7777777", "88888888", "999999999"];
const repeated = Array.from({ length: 10 }, (_, d) => String(d).repeat(10));
const walks = ["qwertyuiop", "qwertyuiop[]", "asdfghjkl", "asdfghjkl;", "zxcvbnm", "zxcvbnm,./", "qwertyui", "qwerty", "azerty", "azertyuiop", "qwertz", "qwertzuiop", "1qaz2wsx", "1qaz2wsx3edc", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "zaq12wsx", "zaq1zaq1", "qazwsx", "qazwsxedc", "qazwsxedcrfv", "!qaz2wsx", "asdf1234", "qwer1234", "abcd1234", "1234qwer", "1234abcd", "qweasdzxc", "qweasd", "poiuytrewq", "mnbvcxz", "lkjhgfdsa", "abcdefghij", "abcdefg123", "aaaaaaaaaa", "abc123abc123"];
const words = [
  "password", "passw0rd", "p@ssw0rd", "p@ssword", "pass", "iloveyou", "welcome", "admin", "administrator", "letmein", "monkey", "dragon", "football",
  "baseball", "sunshine", "princess", "master", "shadow", "superman", "batman", "trustno1", "starwars", "whatever", "michael", "jennifer", "charlie",
  "jordan", "hunter", "freedom", "computer", "internet", "secret", "changeme", "default", "login", "access", "hello", "abc123", "liverpool", "chelsea",
  "arsenal", "pokemon", "minecraft", "naruto", "samsung", "google", "summer", "winter", "spring", "autumn", "root", "toor", "test", "guest", "user",
  "killer", "soccer", "hockey", "ranger", "buster", "thomas", "robert", "daniel", "andrew", "joshua", "matthew", "ashley", "jessica", "nicole",
  "love", "lovely", "flower", "angel", "family", "friends", "mustang", "harley", "cookie", "cheese", "chocolate", "butterfly", "purple", "orange",
  "banana", "apple", "qwerty", "server", "database", "berth", "letmein!", "welcome!", "blink182", "zxcvbn", "matrix", "ninja", "azerty",
];
const suffixes = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "!", "1!", "123!", "01", "69", "007", "99", "2020", "2021", "2022", "2023", "2024", "2025", "2026", "@123", "#1"];

const list: string[] = [];
const add = (p: string) => {
  const lower = p.toLowerCase();
  if (!list.includes(lower)) list.push(lower);
};
for (const p of ["password123", "qwertyuiop", "1234567890", "password1", "password", "123456789", "12345678", "iloveyou", "qwerty123", "admin123"]) add(p);
for (const p of [...runs, ...repeated, ...walks]) add(p);
for (const suffix of suffixes) for (const word of words) add(word + suffix);
const top = list.slice(0, 1000);
if (top.length < 1000) throw new Error(`only ${top.length} patterns`);
writeFileSync(join(import.meta.dir, "../src/core/people/common-passwords.txt"), `${top.join("\n")}\n`);
console.log(`wrote ${top.length} passwords`);
