#include "labscenario.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Pushboard::Lab;

/// The scenario table: the eight of the Lab page, each with a key the CLI takes, three or four
/// sentences that cite a section of a standard, and the sections listed.
class tst_LabScenario : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyScenario()
    {
        const QList<Scenario> &all = scenarios();
        QCOMPARE(all.size(), 8);
        QSet<QString> keys;
        const QRegularExpression key(QStringLiteral("^[a-z][a-z0-9-]*$"));
        const QRegularExpression cited(QStringLiteral("(WHATWG HTML|RFC) [0-9]"));
        for (const Scenario &s : all) {
            QVERIFY2(key.match(s.key).hasMatch(), qPrintable(s.key));
            QVERIFY(!keys.contains(s.key));
            keys.insert(s.key);
            QVERIFY(!s.title.isEmpty());
            // Three or four sentences (a full stop followed by a space or the end).
            const qsizetype sentences = s.watch.count(QStringLiteral(". ")) + 1;
            QVERIFY2(sentences >= 3 && sentences <= 4, qPrintable(s.key));
            QVERIFY2(cited.match(s.watch).hasMatch(), qPrintable(s.key));
            QVERIFY(!s.sections.isEmpty());
            for (const QString &section : s.sections)
                QVERIFY2(s.watch.contains(section.section(QLatin1Char(' '), -1)),
                    qPrintable(section)); // its number is cited in the text

            QVERIFY(s.defaultDurationS > 0);
            QCOMPARE(scenario(s.key)->id, s.id);
        }
        QVERIFY(!scenario(QStringLiteral("nope")));
        QVERIFY(scenario(QStringLiteral("head-of-line"))->simulation);
        QCOMPARE(scenarioKeys().count(QStringLiteral(", ")), 7);
    }
};

QTEST_GUILESS_MAIN(tst_LabScenario)
#include "tst_labscenario.moc"
