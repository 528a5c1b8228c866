"""Hand-written French lexicon of social needs: concepts by theme, publics, themes.

General vocabulary of the social and solidarity economy and of local public action, written from the
domain (field notes of territorial development, usual wording of municipal and association documents),
not from the benchmark's examples.  Each concept is ``theme.concept`` followed by trigger expressions;
expressions are folded and stemmed like report text, and match as contiguous runs of content words.
"""

from __future__ import annotations

# theme.concept: expression; expression; ...
CONCEPTS = (
    """
mobilite.transport_collectif: bus; autobus; autocar; ligne de bus; transport en commun; transports collectifs; \
arret de bus; desserte; desservi; navette; tram; tramway; ter; gare; trains; horaires de bus; reseau de transport; \
frequence des bus; metro; rer; ligne de metro; premier bus; dernier bus; pas de bus; plus de bus
mobilite.transport_demande: transport a la demande; transport solidaire; chauffeur benevole; chauffeurs benevoles; \
accompagnement vehicule; conduire les personnes; vehicule adapte; taxi social; minibus; \
transport accompagne; mobilite solidaire
mobilite.permis_vehicule: permis de conduire; le permis; sans permis; passer le permis; permis b; auto ecole; code de la route; voiture; vehicule; \
location de voiture; pret de vehicule; garage solidaire; reparation voiture; scooter; mobylette; cyclomoteur; \
voiture sans permis; deux roues; scooters
mobilite.velo: velo; velos; cyclable; piste cyclable; atelier velo; reparation de velo; velo electrique; \
velo assistance electrique; cycliste
mobilite.covoiturage: covoiturage; autopartage; partage de vehicule; stop organise; auto stop
mobilite.isolement_geo: enclave; isole geographiquement; zone blanche mobilite; loin de tout; eloigne; \
eloignement; pas de moyen de locomotion; sans voiture; sans vehicule; se deplacer; deplacement; deplacements; \
mobilite; immobilite; locomotion
alimentation.aide_alimentaire: aide alimentaire; colis alimentaire; colis; banque alimentaire; restos du coeur; \
distribution alimentaire; epicerie solidaire; epicerie sociale; frigo solidaire; frigo partage; \
precarite alimentaire; insecurite alimentaire; faim; manger a sa faim; denrees; cheque alimentaire; \
bons alimentaires; manger correctement; manger equilibre; sauter des repas; sautent des repas; se nourrir; \
nourrir leurs enfants; quoi manger
alimentation.commerce_alimentaire: courses; faire les courses; supermarche; superette; epicerie; commerce alimentaire; \
boulangerie; magasin; commerce de proximite; dernier commerce; commerces; ravitaillement; approvisionnement; \
desert alimentaire; drive; livraison de courses; epicerie ambulante; commerce ambulant
alimentation.alimentation_durable: circuit court; circuits courts; produits locaux; bio; alimentation durable; \
producteurs locaux; vente directe; amap; projet alimentaire territorial; pat; manger sain; alimentation saine; \
fruits et legumes; legumerie; nutrition; malbouffe; obesite
alimentation.cuisine: cuisine collective; atelier cuisine; cuisiner; cuisine partagee; repas partages; repas; \
cantine; restauration scolaire; self; repas a domicile; portage de repas; livraison de repas
restauration.laboratoire: cuisine professionnelle; cuisine pro; cuisine partagee; cuisines partagees; \
cuisine mutualisee; laboratoire; labo; laboratoire de cuisine; laboratoire culinaire; cuisine aux normes; \
cuisine agreee; local de cuisine; cuisine equipee; cuisine centrale; couveuse culinaire; incubateur culinaire; \
tiers lieu culinaire; espace test culinaire; atelier de transformation culinaire; louer une cuisine
restauration.activite: restaurant; restaurants; restauration; traiteur; traiteurs; food truck; food trucks; \
foodtruck; restauratrice; restaurateur; restaurateurs; cuisinier; cuisiniers; cuisiniere; cuisinieres; \
plats cuisines; batch cooking; patisserie; metiers de bouche; metiers de la cuisine; service en salle; serveurs
restauration.emplacement: emplacement; emplacements; autorisation d occupation; place de marche
restauration.repas_salaries: restaurant d entreprise; restaurant inter entreprises; restauration des salaries; \
pause dejeuner; le midi; manger le midi
restauration.lieu_convivial: cafe associatif; bar associatif; guinguette; buvette; cafe social; bistrot
logement.acces_logement: logement; logements; se loger; trouver un logement; chambre; appartement; parc locatif; loyer; loyers; \
logement social; bailleur; hlm; parc social; demande de logement; logement abordable; logement jeunes; \
colocation; habitat; hebergement; foyer de jeunes travailleurs; fjt; residence sociale; \
logement temporaire; logement saisonnier; logement des saisonniers
logement.precarite_energetique: precarite energetique; chauffage; se chauffer; isolation thermique; isolation des logements; passoire thermique; \
factures energie; facture d electricite; electricite; impaye; impayes; energie; renovation energetique; froid; \
humidite; moisissure; insalubre; insalubrite; indigne; logement indigne
logement.urgence: sans abri; sdf; dormir dehors; hebergement d urgence; mise a l abri; \
expulsion; expulse; squat; campement; mal loges; mal logement; 115; maraude; dormir a la rue; \
vivre a la rue; personnes a la rue; dorment dehors
logement.habitat_seniors: habitat inclusif; habitat partage; habitat intergenerationnel; residence autonomie; \
logement adapte; adaptation du logement; colocation seniors; beguinage; maintien a domicile; maintien au domicile
enfance.garde: garde d enfants; garde des enfants; faire garder; mode de garde; solution de garde; pas de garde; \
garde tot; garde le soir; garde le week end; garde en urgence; garder ma fille; garder mon fils; nounous; modes de garde; creche; creches; \
micro creche; halte garderie; garderie; assistante maternelle; assistantes maternelles; nounou; \
place en creche; places en creche; multi accueil; accueil petite enfance; petite enfance; \
garde en horaires atypiques; garde en horaires decales; garde de nuit; garder les enfants; garder les petits; baby sitting; periscolaire; accueil periscolaire; centre de loisirs; alsh; vacances scolaires
enfance.parentalite: parentalite; soutien a la parentalite; lieu d accueil enfants parents; laep; parents isoles; \
famille monoparentale; familles monoparentales; mere isolee; meres isolees; maman solo; relais parents; \
ecoute des parents; epuisement parental
education.soutien_scolaire: soutien scolaire; aide aux devoirs; devoirs; accompagnement scolaire; decrochage scolaire; \
decrocheurs; decrochage; echec scolaire; reussite scolaire; scolarite; maths
education.francais: lecture; ecriture; illettrisme; savoirs de base; \
alphabetisation; apprendre le francais; cours de francais; fle; francais langue etrangere; allophone; allophones; \
analphabete; maitrisent pas le francais; parlent pas francais; langue francaise
sante.acces_soins: medecin; medecins; generaliste; medecin traitant; desert medical; soins; consultation; \
rendez vous medical; infirmier; infirmiere; pharmacie; maison de sante; \
centre de sante; sante; soigner; se soigner; renoncement aux soins; mutuelle; complementaire sante
sante.specialistes: specialiste; specialistes; medecins specialistes; dentiste; dentistes; soins dentaires; \
chirurgien dentiste; kine; kinesitherapeute; ophtalmologue; ophtalmologiste; gynecologue; gynecologie; \
dermatologue; cardiologue; pediatres; orthophonistes; orthoptiste; sage femme; sages femmes
sante.hopital: hopital; hopitaux; urgences; service des urgences; centre hospitalier; clinique; maternite; \
lits d hospitalisation; fermeture de lits; soins non programmes; smur; samu
sante.sante_mentale: sante mentale; psychologique; psychologue; psychiatrie; depression; souffrance psychique; \
mal etre; malaise; detresse; va mal; phobie scolaire; anxiete; anxieux; troubles anxieux; cmp; suicide; burn out
sante.addictions: addiction; addictions; alcool; alcoolisme; drogue; drogues; stupefiants; toxicomanie; \
dependance a l alcool; csapa; caarud; consommation de drogue; crack; cannabis; sevrage
sante.prevention: prevention; depistage; vaccination; education a la sante; activite physique adaptee; \
sport sante; nutrition sante
numerique.inclusion_numerique: numerique; illectronisme; fracture numerique; demarches en ligne; \
demarches administratives en ligne; dematerialisation; internet; ordinateur; ordinateurs; tablette; \
smartphone; telephone portable; informatique; mail; email; adresse mail; site internet; postuler en ligne; \
tout en ligne; tout est en ligne; formulaire en ligne; inscription en ligne; connexion; visio; \
conseiller numerique; atelier numerique; espace numerique; france services; outils numeriques; zone blanche; \
reseau mobile; couverture reseau; fibre; equipement informatique; reconditionne; reconditionnes; \
portable; telephone; whatsapp; messagerie; applications
droits.acces_droits: acces aux droits; droits sociaux; ouverture de droits; demarches administratives; papiers; \
formulaire; formulaires; caf; cpam; impots; prefecture; titre de sejour; prime d activite; aides sociales; \
non recours; ecrivain public; permanence caf; permanences administratives; guichet; service public; services publics; mairie annexe; \
accompagnement administratif; dossier de retraite; pension de retraite; caisse de retraite; courriers administratifs
emploi.insertion: insertion; insertion professionnelle; retour a l emploi; remobilisation; chantier d insertion; \
aci; entreprise d insertion; structure d insertion; iae; parcours d insertion; accompagnement vers l emploi; \
demandeurs d emploi; chomeurs; chomage; chomage longue duree; sans emploi; privees d emploi; \
eloignees de l emploi; eloigne de l emploi; eloignes de l emploi; eloignee de l emploi; \
territoire zero chomeur; tzcld; ebe; entreprise a but d emploi; contrat aide; clause sociale
emploi.formation: formation; formations; qualification; apprentissage; apprenti; apprentis; alternance; \
stage; stages; orientation professionnelle; reconversion; competences; diplome; metier; metiers; bts
emploi.recrutement: recrutement; recruter; penurie de main d oeuvre; main d oeuvre; difficultes de recrutement; \
postes vacants; offres d emploi; embauche; embaucher; candidats; saisonniers agricoles; tension
emploi.freins: frein a l emploi; freins peripheriques; freins a l emploi; levee des freins
entreprendre.creation: creation d entreprise; creer son entreprise; creer son activite; entreprendre; \
entrepreneur; entrepreneurs; entrepreneuriat; auto entrepreneur; micro entrepreneur; micro entrepreneurs; \
micro entreprise; porteur de projet; porteurs de projet; couveuse; cae; cooperative d activite; \
incubateur; pepiniere; test d activite; espace test; local professionnel; locaux professionnels; local commercial; \
bureau partage; coworking; atelier partage; pret d honneur; microcredit; creer sa boite; \
lancer son activite; lancer sa boite
entreprendre.transmission: reprise; repreneur; repreneurs; transmission; cession; successeur; \
sans successeur; cedant; cedants; depart a la retraite; partent a la retraite
entreprendre.commerce_local: commerce; commercant; commercants; artisan; artisans; artisanat; vitrine; \
centre bourg; revitalisation; cellules commerciales; reprise de commerce; \
multiservice; commerce multiservices; bistrot; cafe; bar; tabac; presse; point poste
reemploi.objets: reemploi; reutilisation; ressourcerie; recyclerie; recycler; seconde main; \
depot vente; vide grenier; objets; meubles; mobilier; electromenager; jouets; vaisselle; \
encombrants; dechetterie; zone de reemploi; caissons de reemploi; boutique solidaire; economie circulaire
reemploi.dechets: dechet; dechets; recyclage; tri; zero dechet; compost; compostage; biodechets; collecte des dechets; \
depots sauvages; gaspillage
reemploi.reparation: reparation; repair cafe; reparer; reparable; bricotheque; atelier de reparation; \
autoreparation; bricoleurs
reemploi.textile: textile; vetements; vetement; friperie; fripe; vestiaire solidaire; vestiboutique; \
upcycling; vetements d occasion
reemploi.materiaux: materiaux; materiaux de construction; materiaux de reemploi; chantiers de demolition; \
materiaux du batiment; artisans du batiment; btp; second oeuvre
reemploi.antigaspi: anti gaspillage; invendus; frigo solidaire; frigo partage; glanage; surplus alimentaires
agriculture.agriculture: agriculture; agriculteur; agriculteurs; agricole; agricoles; \
exploitant; exploitants; eleveur; eleveurs; elevage; maraicher; maraichers; maraichage; \
paysan; paysans; installation agricole; foncier agricole; terres agricoles; transmission des fermes; \
reprise d exploitation; recolte; recoltes; cueillette; vendange; vendanges; viticulteur; viticulture; \
abattoir; atelier de transformation; conserverie; outil de transformation; cuma; \
materiel agricole; service de remplacement; astreinte de la traite; vaches; troupeau
agriculture.detresse_agricole: detresse des agriculteurs; isolement des agriculteurs; \
 burn out agricole; suicide agricole
vieillissement.isolement_seniors: isolement; isole; isoles; isolee; isolees; solitude; vivent seules; vivent seuls; vit seule; vit seul; \
lien social; liens sociaux; rompre l isolement; visites de convivialite; visite a domicile; visites a domicile; \
repli sur soi; ennui; personne ne vient; voit personne; voit plus personne; sans visite; aucune visite; \
ne sortent plus; ne sort plus; sortent plus; sort plus; coupes du monde; tout seul; toute seule; toutes seules
vieillissement.aide_domicile: aide a domicile; aides a domicile; aide menagere; auxiliaire de vie; \
services a la personne; ssiad; saad; soins a domicile; perte d autonomie; \
apa; gir; aidant; aidants; aidants familiaux; repit; droit au repit; accueil de jour; plateforme de repit; \
alzheimer; troubles cognitifs; chute; chutes; teleassistance
vieillissement.etablissement: ehpad; maison de retraite; residence seniors; grand age; fin de vie; unite protegee
vieillissement.activites_seniors: activites pour seniors; club des aines; club du troisieme age; animation seniors; \
gym douce; marche seniors; atelier memoire; sorties seniors
handicap.handicap: handicap; handicape; handicapes; handicapee; handicapees; situation de handicap; \
personne handicapee; accessibilite; fauteuil roulant; fauteuil; pmr; \
mobilite reduite; malvoyant; malvoyants; aveugle; non voyant; sourd; sourds; malentendant; langue des signes; \
lsf; autisme; autiste; tsa; tdah; dys; polyhandicap; trisomie; deficience; mdph; aah; esat; ime; \
emploi accompagne; travailleurs handicapes; rqth; aesh; avs; ulis; \
falc; facile a lire; vehicule adapte pmr
jeunesse.jeunesse: jeunes; jeunesse; adolescents; adolescent; ados; lyceens; lyceen; etudiants; etudiant; \
mission locale; neet; jeunes adultes; 16 25; 16 25 ans; 18 25 ans; majeurs; service civique; \
point information jeunesse; pij; local jeunes; maison des jeunes; mjc; animateur jeunesse; espace jeunes; \
foyer des jeunes; desoeuvres; desoeuvrement; trainent; oisivete
loisirs.loisirs: loisirs; sport; sportif; sports; club; association sportive; city stade; \
terrain de foot; skatepark; piscine; equipement sportif; acces a la culture; culturel; culturelle; musique; theatre; \
cinema; bibliotheque; mediatheque; ludotheque; aire de jeux; vacances; \
colonie; sejours; sorties culturelles; sorties familiales
lien_social.lieu_convivialite: tiers lieu; tiers lieux; lieu de rencontre; lieu convivial; convivialite; \
salle commune; salle des fetes; espace de rencontre; cafe social; centre social; maison de quartier; \
espace de vie sociale; evs; jardin partage; jardins partages; jardin familial; jardins familiaux; \
vivre ensemble; voisinage; entraide; solidarite de voisinage; intergenerationnel; vie associative; \
 lieu de vie
environnement.environnement: environnement; biodiversite; espaces verts; nature; pollution; bruit; proprete; \
depots sauvages; transition ecologique; climat; eau; secheresse; inondation
securite.tranquillite: securite; insecurite; incivilites; deal; trafic; violences; tranquillite; eclairage; \
agressions; harcelement; rodeos
violences.violences_femmes: violences conjugales; violences intrafamiliales; femmes victimes; victimes de violences; \
mise a l abri des femmes; harcelement de rue; egalite femmes hommes
migrants.accueil: refugies; refugie; exiles; exile; migrants; migrant; demandeurs d asile; asile; \
primo arrivants; etrangers; sans papiers; regularisation; cada; mineurs non accompagnes; mna; mineurs isoles; \
recours de minorite
"""
    + """
logement.urgence_hygiene: hygiene; douche; douches; se laver; bain douche; bains douches; laverie; machine a laver; \
lessive; laver ses vetements; laver leur linge; toilettes publiques; sanitaires publics; point d eau; kit hygiene; \
protections periodiques
logement.urgence_bagagerie: bagagerie; casiers; consigne; affaires volees; se font voler leurs affaires; \
stocker leurs affaires; domiciliation; adresse postale
logement.urgence: dort dehors; dormir dans sa voiture; dorment dans leur voiture; tente; tentes; \
sous tente; sans toit; pas de toit; hebergement d urgence; accueil de nuit; halte de nuit; mise a l abri
logement.nuisibles: punaises; punaises de lit; cafards; blattes; rats; souris; nuisibles; desinsectisation; \
deratisation; infestation
logement.logement_indigne: marchand de sommeil; marchands de sommeil; proprio; proprietaire bailleur; \
chambre pourrie; logement pourri; division pavillonnaire; maison coupee; maisons decoupees; permis de louer; \
logement insalubre; taudis; peril; locataires du parc prive
logement.precarite_energetique: gaz; facture de gaz;  passoire; passoire energetique; chauffe plus; \
on a froid; maison froide; maisons froides; logement froid; murs humides; champignons; papier peint; \
cheque energie; fioul; poele; radiateur; radiateurs
logement.acces_logement: trouver un appart; pas de logement; sans logement; dossier de logement; \
logement etudiant; residence etudiante; crous; garant; caution; agence immobiliere; \
meubles touristiques; meuble touristique; meubles de tourisme; locations touristiques; location touristique; \
locations saisonnieres; airbnb
alimentation.aide_alimentaire: frigo vide; le frigo est vide; ventre vide; pas mange; rien a manger; \
fin du mois; fin de mois; acheter pas cher; petit prix; prix reduits; magasin solidaire;  \
resto du coeur; secours populaire; croix rouge; maraude alimentaire; repas gratuit; repas gratuits
alimentation.petit_dejeuner: petit dejeuner; petits dejeuners; dejeuner a l ecole; gouter; sans avoir mange; \
ventre vide le matin
vieillissement.isolement_seniors: seule depuis; seul depuis; parle a personne; parle plus a personne; \
personne a qui parler; personne pour parler; veuve; veuf; depuis la mort de; depuis que son mari; \
depuis que sa femme; plus de famille; pas de visite; rompre la solitude; cafe des aines; appel telephonique; \
appels de convivialite; visiteurs benevoles; voit jamais personne; enfermee chez elle; enferme chez lui
vieillissement.aide_domicile:  tombee; il est tombe; elle est tombee; peut plus se laver;  \
auxiliaires de vie; aide soignante; sortie d hopital; retour a domicile;  ateliers equilibre; \
prevention des chutes
mobilite.transport_demande: mes jambes; peut plus marcher; plus marcher; accompagner aux rendez vous; \
emmener aux rendez vous; emmener chez le medecin; transport adapte; service de transport adapte; \
chauffeur; navette seniors
mobilite.transport_collectif: pas de transport; aucun transport; transports en commun; \
cars scolaires; transport scolaire; ramassage scolaire; bus scolaire; correspondance; correspondances; circule pas; ne circule pas; \
transfrontalier; heures d embauche; tot le matin;  horaires decales; equipes de nuit; \
entrepots; zone logistique; zones logistiques; zone d emploi; zones d emploi
mobilite.permis_vehicule: permis trop cher; financer le permis; financement du permis; pas le permis; \
pas de permis; sans le permis; auto ecole solidaire; heures de conduite;  bourse au permis; \
pas de voiture
education.soutien_scolaire: arrete l ecole; arreter l ecole; quitte l ecole; sorti du college; sortis du college; \
sans diplome; deteste l ecole; veut plus aller a l ecole; exclu du college; exclusion scolaire; \
raccrocher; raccrochage; remobilisation; redoublement;  bulletin; cours particuliers
education.francais: parle pas bien francais; parle pas francais; je parle pas; apprendre la langue; \
ateliers sociolinguistiques; cours de langue; lire et ecrire; sait pas lire; sait pas ecrire; \
comprendre les courriers;  traduction; interprete
sante.acces_soins: docteur; mon docteur; plus de docteur; plus de medecin; pas de medecin;  cabinets; \
nouveaux patients; prend plus de patients; prennent plus de patients; rendez vous dans 6 mois;  \
soins courants; centre de sante
sante.specialistes: ophtalmo; gyneco; pediatre; orthophoniste;  lunettes; les dents; mal aux dents
sante.sante_mentale: angoisse; angoisses;  pleure;  dort plus; dors plus; craque; \
je craque; a bout; epuise; epuisee; deprime; deprimee; idees noires;  psy; harcele; harcelement scolaire
numerique.inclusion_numerique: en ligne; sur internet; appli; application; mot de passe; identifiant; \
identifiants; scanner; imprimer; imprimante; scanner des papiers; ordi;  clavier;  tablette; \
prendre rendez vous en ligne; ants; ameli; france connect; franceconnect
droits.acces_droits:  radie; radiee; \
droits coupes; apl coupee; rsa coupe; trop percu; aide sociale; \
assistante sociale; guichet; accueil physique; fermeture du guichet
emploi.insertion: je veux travailler; trouver du travail; trouver un travail; cherche du travail; \
cherche un emploi; pas de travail; pas d emploi; au chomage; france travail; pole emploi; interim; \
missions d interim; cv; entretien d embauche; premier emploi; jamais travaille; reprendre un travail
enfance.garde: bebe; bebes; tout petits; faire garder; garder mon bebe; garder les enfants; \
place en garderie; halte garderie; garde d enfants; nounou; personne pour garder; horaires atypiques; \
horaires decales; travaille tot; travaille tard;  le matin tot
jeunesse.jeunesse: traine; trainent dehors; traine dans la rue; rien a faire; rien pour les jeunes; \
 local pour les jeunes; lieu pour les jeunes;  salle pour les jeunes; educateurs; \
educateur; prevention specialisee; animateurs
loisirs.loisirs:  gymnase;  \
centre aere; colo; colonies; club de sport;  inscription au club
environnement.cadre_vie: bruit; bruits; nuisances; nuisances sonores; tapage;  musique forte; \
espace vert; espaces verts;  parcs; square; friche; friches;   ilot de chaleur; \
canicule;  jardin; proprete; poubelles; ordures; detritus; encombrants
securite.tranquillite: deal; dealers; points de deal; trafic de drogue; rixes; bagarres;  \
on a peur; cambriolage; cambriolages; vols; agressions; eclairage public; rodeos urbains; motos
violences.violences_femmes: mari violent; il me frappe;  coups;  violences; \
emprise; depot de plainte; porter plainte; hebergement des femmes; femmes battues
migrants.accueil: sans papiers; pas de papiers; titre de sejour; recepisse; oqtf; demande d asile; \
mineurs isoles etrangers; exiles; jeunes exiles; evaluation de minorite; mineurs etrangers
entreprendre.creation:  ateliers partages; \
rez de chaussee; rez de chaussee vacants; boutique a l essai; boutique ephemere; vitrines vides; \
locaux vacants; cellules vides; pepiniere d entreprises
"""
)

# Publics: canonical key -> trigger expressions (field values and text).
PUBLICS = """
seniors: personnes agees; personne agee; seniors; senior; aines; aine; anciens; retraites; retraite; \
troisieme age; 3eme age; 3e age; quatrieme age; grand age; vieux; vieilles personnes; personnes vieillissantes; \
plus de 60 ans; plus de 65 ans; plus de 70 ans; plus de 75 ans; plus de 80 ans; octogenaires; ehpad; \
residents d ehpad; papys; mamies; papy; mamie; personnes en perte d autonomie
jeunes: jeunes; jeune; jeunesse; 16 25; 16 25 ans; 18 25 ans; 15 25 ans; 16 29 ans; jeunes adultes; adolescents; \
adolescent; ados; lyceens; etudiants; etudiant; apprentis; neet;  mission locale; jeunes majeurs
familles: familles; famille; parents; parent; \
monoparentales; monoparentale; meres isolees; mere isolee; mamans; papas; jeunes parents; fratries
enfants: enfants; enfant; petite enfance; bebes; bebe; tout petits; ecoliers; eleves; collegiens
handicap: handicap; handicapees; handicapes; personnes handicapees; personnes en situation de handicap; \
situation de handicap; pmr; personnes a mobilite reduite; mobilite reduite; fauteuil; malvoyants; sourds; \
autistes; autisme; travailleurs handicapes; aah; mdph
agriculteurs: agriculteurs; agricultrices; agriculteur; exploitants agricoles; exploitants; paysans; paysan; \
eleveurs; eleveur; maraichers; maraicher; viticulteurs; producteurs; monde agricole; cedants agricoles
entrepreneurs: entrepreneurs; entrepreneur; micro entrepreneurs; micro entrepreneur; auto entrepreneurs; \
createurs d entreprise; createurs; porteurs de projet; porteur de projet; artisans; commercants; \
restaurateurs; traiteurs; cuisiniers; independants; tpe; tres petites entreprises; entreprises; employeurs
demandeurs_emploi: demandeurs d emploi; demandeur d emploi; chomeurs; chomeur; chomeuses; sans emploi; \
beneficiaires du rsa; beneficiaires rsa; allocataires du rsa; rsa; personnes eloignees de l emploi; \
chomeurs de longue duree; salaries en insertion; personnes en insertion; privees d emploi
precaires: personnes precaires; precaires; menages modestes; foyers modestes; menages precaires; \
familles precaires; personnes en precarite; bas revenus; faibles revenus; pauvres; pauvrete; \
travailleurs pauvres; personnes en difficulte; publics fragiles; minima sociaux; beneficiaires des minima sociaux; sans abri; sdf; personnes a la rue; \
mal loges; sans domicile
migrants: refugies; migrants; exiles; demandeurs d asile; primo arrivants; etrangers; allophones; \
personnes etrangeres; mineurs non accompagnes
femmes: femmes; femme; femmes victimes; femmes isolees; femmes seules; jeunes filles; filles
seniors: ma grand mere; mon grand pere; grand mere; grand pere; grands parents; \
ma voisine agee; mon voisin age; veuve; veuf; a la retraite; personnes isolees agees
jeunes: 16 ans; 17 ans; 18 ans; 19 ans; 20 ans; mineurs; mineur; jeunes majeurs; \
decrocheurs; jeunes diplomes; jeunes travailleurs; apprentis; alternants; lyceennes; etudiantes
familles: maman; papa; mere seule; mere celibataire; pere seul; femmes enceintes; enceinte
enfants: mes enfants; nos enfants; bebe; bebes; nourrisson
precaires: personnes sans domicile; sans domicile fixe; sans abris; pauvre; fin de mois
migrants: sans papiers; exile; refugie; demandeuse d asile; primo arrivantes; femmes etrangeres; mna
salaries: salaries; salariees; salarie; salariee; travailleurs; travailleuses; saisonniers; saisonnieres; \
saisonnier; saisonniere; ouvriers; ouvrieres; interimaires; employes; employees; soignants; soignantes; \
infirmieres; infirmiers; aides soignantes; aides soignants; pluriactifs; frontaliers; teletravailleurs; \
personnel soignant; personnel de la station; actifs en emploi
aidants: aidants; aidant; aidants familiaux; aidant familial; proches aidants; aidantes
justice: sortants de prison; sortants de detention; detenus; personnes detenues; personnes sous main de justice
gens_du_voyage: gens du voyage
agriculteurs: pecheurs; marins pecheurs; bergers; planteurs; ouvriers agricoles
precaires: mal logees; sans logement; personnes sans logement; personnes mal logees
tout_public: tout public; tous publics; habitants; population; tous; grand public; usagers; citoyens
"""

# Publics read only in the public field, never inferred from the title or the description: their words are
# as often the circumstances of a need as the people who have it ("les soignants partent", "les salariés
# de la zone" in a report about doctors or buses for all inhabitants).
FIELD_ONLY_PUBLICS = frozenset(
    {"salaries", "locataires", "proprietaires", "patients", "justice", "gens_du_voyage"}
)

# Themes: canonical key -> words of free "theme" field values.
THEMES = """
mobilite: mobilite; transport; transports; deplacement; deplacements; velo; bus; covoiturage
alimentation: alimentation; alimentaire; nourriture; aide alimentaire; circuits courts; epicerie; courses
restauration: restauration; traiteur; cuisine; metiers de bouche; food
logement: logement; habitat; hebergement; energie; precarite energetique
enfance: petite enfance; enfance; garde d enfants; garde; creche; parentalite; famille; familles
education: education; scolaire; soutien scolaire; illettrisme; francais
sante: sante; soins; acces aux soins; medecin; sante mentale; prevention
numerique: numerique; inclusion numerique; informatique; internet
droits: acces aux droits; droits; services publics; administratif; demarches
emploi: emploi; insertion; formation; travail; recrutement; insertion professionnelle
entreprendre: entrepreneuriat; creation d entreprise; commerce; artisanat; economie; developpement economique; \
commerce de proximite
reemploi: reemploi; recyclage; economie circulaire; dechets; reparation; ressourcerie
agriculture: agriculture; agricole; alimentation durable; ruralite; monde agricole
vieillissement: vieillissement; grand age; seniors; personnes agees; autonomie; bien vieillir; dependance
handicap: handicap; inclusion; accessibilite
jeunesse: jeunesse; jeunes
lien_social: lien social; isolement; vie sociale; solidarite; vivre ensemble; convivialite; tiers lieu
loisirs: culture; sport; loisirs; animation
environnement: environnement; transition ecologique; ecologie; biodiversite
securite: securite; tranquillite publique; prevention de la delinquance
"""

# Generic words of need reports: they say that there is a need, not which one.  Down-weighted.
GENERIC_WORDS = """
besoin besoins manque manques manquer absence insuffisance insuffisant insuffisante difficulte difficultes
difficile probleme problemes probleme souci soucis demande demandes aucun aucune plus pas peu tres trop
commune communes ville village territoire territoires secteur quartier habitants habitant population personnes
personne gens public publics projet projets mettre mise place creer creation developper developpement
proposer propose solution solutions action actions dispositif dispositifs service services offre offres
accompagnement accompagner aide aider aides soutien soutenir acces acceder permettre possible possibilite
nombreux nombreuses beaucoup certains certaines souvent toujours jamais depuis annee annees mois jours
faire fait font avoir etre sont est ont peut peuvent doit doivent faut falloir vouloir veulent voudrais
nous vous ils elles leur leurs notre nos votre vos mon ma mes son sa ses ce cette ces cela ca celui
qui que quoi dont ou quand comme mais donc car ainsi alors aussi encore deja tres bien mal bon bonne
signalement signale signalons constat constate constatons remonte remontee remontees observe observons
actuellement aujourd hui rien tout toute tous toutes chaque autre autres meme memes enormement vraiment
merci bonjour madame monsieur mairie elus elu conseil municipal ccas association associations structure structures
collectif partenaires partenaire acteurs acteur local locale locaux existant existe existent nouveau nouvelle
"""

STOPWORDS = """
a à au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme mes moi mon ne nos
notre nous on ou par pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s
t y ete avoir ai as avons avez ont eu est sont suis es etes etait etaient sera seront serait seraient fut
cet cette ceux celle celles celui ici la lors puis sous vers chez entre apres avant tres moins aussi
tant si soit afin selon ainsi donc or ni car dont quel quelle quels quelles tel telle
"""


def parse_sections(text: str) -> dict[str, list[str]]:
    """Parse 'key: expr; expr' blocks (lines continued by a trailing backslash are already joined)."""
    out: dict[str, list[str]] = {}
    for line in text.strip().splitlines():
        if ":" not in line:
            continue
        key, exprs = line.split(":", 1)
        lst = out.setdefault(key.strip(), [])  # a key may come back on a later line: its expressions add up
        lst.extend(e.strip() for e in exprs.split(";") if e.strip() and e.strip() not in lst)
    return out
