"""Names and streets the demo people are drawn from: pure data."""

# Common Indonesian names (Javanese, Sundanese, Betawi and Muslim given names); marga for the
# minority of Batak, Minahasa and Maluku families whose children carry the family name.
MALE_GIVEN = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Andi", "Dedi", "Eko", "Hendra", "Irwan", "Joko", "Rudi",
    "Slamet", "Wahyu", "Yusuf", "Rizki", "Fajar", "Dimas", "Arif", "Bambang", "Heru", "Iwan",
    "Teguh", "Asep", "Ujang", "Dadang", "Cecep", "Ade", "Rahmat", "Hadi", "Imam", "Syaiful",
    "Taufik", "Hasan", "Ridwan", "Firman", "Gilang", "Reza", "Aditya", "Bayu", "Rizal", "Ilham",
    "Fikri", "Aldi", "Farhan", "Haris", "Yoga", "Doni", "Rian", "Surya", "Yanto", "Sugeng", "Adi",
    "Anton", "Indra", "Jajang", "Ferry", "Lukman", "Sandi", "Wawan", "Yudi", "Hamdan", "Nanang",
    "Dodi", "Ikhsan", "Rafi", "Daffa", "Alif", "Bagus", "Dwi", "Tri", "Sutrisno", "Suparman",
    "Sukardi",
)  # fmt: skip
FEMALE_GIVEN = (
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Yuni", "Ani", "Ratna", "Fitri", "Ayu", "Dian", "Eka",
    "Indah", "Lina", "Maya", "Nining", "Nurul", "Putri", "Rini", "Rika", "Sari", "Tuti", "Umi",
    "Wulan", "Yanti", "Aisyah", "Fatimah", "Nabila", "Salsabila", "Zahra", "Aulia", "Dinda",
    "Intan", "Mega", "Novi", "Rahma", "Susi", "Tini", "Enok", "Euis", "Neng", "Imas", "Cucu",
    "Iis", "Lilis", "Yayah", "Endang", "Suharti", "Rohimah", "Khadijah", "Annisa", "Nadia",
    "Citra", "Tika", "Winda", "Desi", "Eli", "Yati", "Suryani", "Kartini",
)  # fmt: skip
MALE_SECOND = (
    "Santoso", "Saputra", "Hidayat", "Setiawan", "Pratama", "Wijaya", "Kurniawan", "Nugroho",
    "Hermawan", "Susanto", "Gunawan", "Permana", "Ramadhan", "Firmansyah", "Maulana", "Hakim",
    "Prasetyo", "Wibowo", "Purnomo", "Suryadi", "Rahman", "Fauzi", "Kusuma", "Setiadi",
    "Sudrajat", "Supriyadi", "Mulyadi", "Syahputra", "Hidayatullah", "Nurdin",
)  # fmt: skip
FEMALE_SECOND = (
    "Lestari", "Wulandari", "Rahmawati", "Handayani", "Safitri", "Sari", "Puspita", "Permata",
    "Kusumawati", "Anggraini", "Susanti", "Oktaviani", "Utami", "Rahayu", "Purwanti", "Fitriani",
    "Maharani", "Nuraini", "Yuliani", "Marlina", "Hasanah", "Kurniasih", "Setiawati", "Pratiwi",
    "Amalia", "Ningsih", "Agustina", "Novitasari", "Ramadhani", "Aminah",
)  # fmt: skip
MARGA = (
    "Siregar", "Nasution", "Lubis", "Harahap", "Simanjuntak", "Sitorus", "Pardede", "Hutapea",
    "Manurung", "Sinaga", "Tambunan", "Situmorang", "Panjaitan", "Simatupang", "Sembiring",
    "Ginting", "Tarigan", "Wenas", "Pangemanan", "Pattiasina", "Latuconsina", "Tanjung",
)  # fmt: skip
# Some names are far more common than the rest: a search for "siti" should find many.
MALE_GIVEN += ("Muhammad",) * 7 + ("Ahmad",) * 3 + ("Agus",) * 2 + ("Budi",) * 2
FEMALE_GIVEN += ("Siti",) * 7 + ("Sri",) * 3 + ("Nur",) * 3 + ("Dewi",) * 2
STREETS = (
    "Jl. Melati", "Jl. Mawar", "Jl. Kenanga", "Jl. Anggrek", "Jl. Flamboyan", "Jl. Cempaka",
    "Jl. Dahlia", "Jl. Kamboja", "Jl. Teratai", "Jl. Nusa Indah", "Jl. Pahlawan", "Jl. Merdeka",
    "Jl. Swadaya", "Jl. Masjid", "Jl. Raya", "Jl. Pendidikan", "Jl. Kartini", "Jl. Diponegoro",
    "Jl. Sudirman", "Jl. Cendrawasih",
)  # fmt: skip
ALLEYS = (
    "Gg. Masjid", "Gg. H. Naman", "Gg. Mushola", "Gg. Kelapa", "Gg. Damai", "Gg. Rukun",
    "Gg. Sawo", "Gg. Jambu", "Gg. Manggis", "Gg. Rambutan", "Gg. Haji Dul", "Gg. Kebon",
)  # fmt: skip
