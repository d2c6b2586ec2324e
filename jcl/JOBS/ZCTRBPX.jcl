//ZCTRBPX  JOB (ACCT),'ZCTRACE NIGHTLY',CLASS=A,MSGCLASS=X,
//             MSGLEVEL=(1,1),NOTIFY=&SYSUID
//*------------------------------------------------------------------
//* ZCTRBPX - RUN ZCTRACE ON Z/OS UNIX (NODE.JS) AGAINST A TRACE DATA
//*           SET: SUMMARY, PCAPNG AND EXCEPTION REPORT, E.G. NIGHTLY
//*
//* WHAT IT DOES
//*   COPYIN  TSO OCOPY ... BINARY COPIES THE TRACE DATA SET INTO A
//*           Z/OS UNIX FILE (NODE CANNOT OPEN MVS DATA SETS ITSELF).
//*           THE DD DOES THE ALLOCATION, SO A GDG RELATIVE NAME SUCH
//*           AS ZCTRACE.DA.SYSA(0) WORKS HERE (THE cp COMMAND DOES
//*           NOT SUPPORT GDG NAMES, IBM). BINARY COPY KEEPS THE DATA
//*           BYTES UNCHANGED; ZCTRACE DETECTS THE FRAMING ITSELF.
//*           VERIFY: WHETHER OCOPY BINARY KEEPS OR DROPS THE RDWS OF
//*           A VB DATA SET WAS NOT CONFIRMED - IT DOES NOT MATTER TO
//*           ZCTRACE (--framing auto), BUT zctrace info TELLS YOU.
//*   SCRIPT  IEBGENER WRITES THE SHELL SCRIPT BELOW INTO A Z/OS UNIX
//*           FILE, SO THE WHOLE PROCEDURE LIVES IN THIS ONE MEMBER.
//*   ZCTR    BPXBATCH RUNS THE SCRIPT: zctrace info, convert, report.
//*           STDOUT/STDERR GO TO SYSOUT. THE STEP RC IS THE SCRIPT'S
//*           EXIT STATUS = ZCTRACE'S EXIT CODE (BPXBATCH: RC BELOW
//*           128 IS THE EXIT STATUS; 128+N MEANS KILLED BY SIGNAL N).
//*   SEND    ONLY IF ZCTR RC=0: FTP THE PCAPNG AND THE REPORT (BINARY)
//*           TO A FILE SERVER. REPLACE BY YOUR OWN TRANSFER IF NEEDED.
//*   ALERT   ONLY IF ZCTR RC>0: PRINTS WHAT THE RC MEANS. YOUR
//*           SCHEDULER SHOULD ALSO ALERT ON THE JOB'S MAXCC.
//*   CLEANUP ALWAYS (EVEN AFTER AN ABEND): DELETES THE Z/OS UNIX COPY
//*           OF THE RAW TRACE - IT HOLDS USER DATA AND PASSWORDS.
//*
//* ZCTRACE EXIT CODES (SAME TABLE AS THE ZCTRACE README)
//*   0 OK (DAMAGED RECORDS SKIPPED ON THE WAY ARE REPORTED, NOT FATAL)
//*   1 INTERNAL ERROR (A BUG - KEEP STDERR AND THE INPUT)
//*   2 USAGE (BAD OPTION IN THE SCRIPT)
//*   3 INPUT UNUSABLE: MISSING, EMPTY, OR NOT ONE VALID TRACE ENTRY
//*     (E.G. NO TRAFFIC MATCHED THE FILTERS, OR A TEXT-MODE COPY)
//*   4 OUTPUT COULD NOT BE WRITTEN (ZFS FULL, PERMISSIONS)
//*   5 LAYOUT PROFILE INVALID      6 UNSUPPORTED CONTENT
//*   130 INTERRUPTED               OTHER: SHELL/BPXBATCH FAILURE
//*   (E.G. 127 = COMMAND NOT FOUND: CHECK THE PATHS IN THE SCRIPT).
//*
//* WHAT TO CHANGE
//*   TRCDSN  THE TRACE DATA SET (OR A GDG RELATIVE NAME, E.G. THE
//*           LATEST GENERATION (0) IF THE WRITER PROC USES A GDG).
//*   RUN     Z/OS UNIX DIRECTORY FOR THE SCRIPT (MUST EXIST).
//*   WORK    Z/OS UNIX DIRECTORY FOR TRACE COPY AND OUTPUTS (MUST
//*           EXIST, OWNED BY THE JOB'S USER, PERMISSIONS 700).
//*   HOST    FILE SERVER FOR STEP SEND; NETRC DATA SET AS IN FTPPUT.
//*   IN THE SCRIPT: NODE_HOME (WHERE IBM'S NODE.JS FOR Z/OS IS
//*           INSTALLED) AND ZCTRACE (WHERE zctrace WAS INSTALLED WITH
//*           npm, E.G. cd /u/zctrace && npm install zctrace-X.Y.Z.tgz
//*           GIVES /u/zctrace/node_modules/.bin/zctrace).
//*   VERIFY: NODE_HOME AND THE _BPXK_/_CEE_/_TAG_ VARIABLES MUST
//*   MATCH THE INSTALLATION GUIDE OF YOUR IBM OPEN ENTERPRISE SDK FOR
//*   NODE.JS RELEASE (NODE 20 OR LATER); THE VALUES BELOW ARE TYPICAL.
//*
//* CODE PAGE NOTE: THE SCRIPT AVOIDS [ ] AND ^ (THEY DIFFER BETWEEN
//* EBCDIC 037 AND 1047, THE SHELL'S CODE PAGE); IT USES test. KEEP IT
//* THAT WAY WHEN YOU EDIT IT ON A 3270 WITH CODE PAGE 037.
//* NO LINE OF THE SCRIPT MAY START WITH '/*' (THAT ENDS THE DATA).
//*------------------------------------------------------------------
//         EXPORT SYMLIST=(WORK)
//         SET TRCDSN='ZCTRACE.DA.SYSA.D251122.T101530'
//         SET RUN='/u/zctrace/run'
//         SET WORK='/u/zctrace/work'
//         SET HOST='FILESRV.EXAMPLE.COM'
//*
//*------------------------------------------------------------------
//* COPY THE TRACE DATA SET INTO ZFS, BYTE FOR BYTE (BINARY).
//*------------------------------------------------------------------
//COPYIN   EXEC PGM=IKJEFT01,REGION=0M
//TRACEIN  DD DISP=SHR,DSN=&TRCDSN
//TRACEOUT DD PATH='&WORK/trace.bin',
//            PATHOPTS=(OWRONLY,OCREAT,OTRUNC),
//            PATHMODE=(SIRUSR,SIWUSR),
//            FILEDATA=BINARY
//SYSTSPRT DD SYSOUT=*
//SYSTSIN  DD *
OCOPY INDD(TRACEIN) OUTDD(TRACEOUT) BINARY
/*
//*------------------------------------------------------------------
//* WRITE THE SHELL SCRIPT INTO ZFS. ARGUMENT 1 = WORK DIRECTORY.
//*------------------------------------------------------------------
//SCRIPT   EXEC PGM=IEBGENER,COND=(0,NE,COPYIN)
//SYSPRINT DD SYSOUT=*
//SYSIN    DD DUMMY
//SYSUT2   DD PATH='&RUN/zctrnite.sh',
//            PATHOPTS=(OWRONLY,OCREAT,OTRUNC),
//            PATHMODE=(SIRWXU),
//            FILEDATA=TEXT,
//            DCB=(RECFM=FB,LRECL=80,BLKSIZE=3200)
//SYSUT1   DD *
# zctrnite.sh - written by job ZCTRBPX step SCRIPT; edit it there.
# Usage: zctrnite.sh WORKDIR   (WORKDIR holds trace.bin)
NODE_HOME=/usr/lpp/IBM/cnj/v20r0/IBM/node-latest-os390-s390x
ZCTRACE=/u/zctrace/node_modules/.bin/zctrace
WORK=$1
IN=$WORK/trace.bin
export PATH=$NODE_HOME/bin:/bin:/usr/bin
export _BPXK_AUTOCVT=ON
export _CEE_RUNOPTS="FILETAG(AUTOCVT,AUTOTAG) POSIX(ON)"
export _TAG_REDIR_ERR=txt
export _TAG_REDIR_IN=txt
export _TAG_REDIR_OUT=txt
echo "zctrace nightly: $(date) input $IN"
if test ! -s "$IN"; then echo "no trace data in $IN" >&2; exit 3; fi
# Tag the copy BINARY so no automatic conversion ever touches it.
chtag -b "$IN" || exit 3
"$ZCTRACE" info "$IN" --quiet
rc=$?
if test $rc -ne 0; then exit $rc; fi
"$ZCTRACE" convert "$IN" -o "$WORK/trace.pcapng" --quiet
rc=$?
if test $rc -ne 0; then exit $rc; fi
chtag -b "$WORK/trace.pcapng"
# Exception report (HTML); see zctrace report --help for options.
"$ZCTRACE" report "$IN" -o "$WORK/report.html" --quiet
rc=$?
if test $rc -ne 0; then exit $rc; fi
chtag -b "$WORK/report.html"
ls -lT "$WORK"
exit 0
/*
//*------------------------------------------------------------------
//* RUN IT. RC = ZCTRACE EXIT CODE (TABLE ABOVE).
//* SH RUNS A LOGIN SHELL (/etc/profile, $HOME/.profile); THE SCRIPT
//* SETS ITS OWN PATH AFTERWARDS, SO PROFILE SETTINGS DO NOT MATTER.
//*------------------------------------------------------------------
//ZCTR     EXEC PGM=BPXBATCH,COND=((0,NE,COPYIN),(0,NE,SCRIPT)),
//            PARM='SH &RUN/zctrnite.sh &WORK'
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
//*
//*------------------------------------------------------------------
//* ACT ON THE RESULT. IF/THEN/ELSE; THE COND= EQUIVALENT OF THE SEND
//* STEP WOULD BE  COND=(0,NE,ZCTR)  (BYPASS UNLESS ZCTR RC = 0).
//*------------------------------------------------------------------
//         IF (ZCTR.RC = 0) THEN
//SEND     EXEC PGM=FTP,REGION=0M,PARM='&HOST (EXIT'
//NETRC    DD DISP=SHR,DSN=USERID.NETRC
//OUTPUT   DD SYSOUT=*
//INPUT    DD *,SYMBOLS=EXECSYS
binary
put &WORK/trace.pcapng &SYSNAME..D&LYYMMDD..PCAPNG
put &WORK/report.html &SYSNAME..D&LYYMMDD..REPORT.HTML
quit
/*
//         ELSE
//ALERT    EXEC PGM=IEBGENER
//SYSPRINT DD DUMMY
//SYSIN    DD DUMMY
//SYSUT2   DD SYSOUT=*
//SYSUT1   DD *
ZCTRACE NIGHTLY DID NOT COMPLETE. LOOK AT STEP ZCTR'S RC AND STDERR.
RC 3: THE TRACE WAS EMPTY OR NOT A CTRACE DATA SET (NO MATCHING
      TRAFFIC? WRONG DATA SET? TEXT-MODE COPY?).
RC 4: ZFS FULL OR NO WRITE PERMISSION IN THE WORK DIRECTORY.
RC 1: ZCTRACE BUG - KEEP STDERR AND THE TRACE FOR THE MAINTAINERS.
RC 127 OR OTHER: NODE_HOME OR ZCTRACE PATH IN THE SCRIPT IS WRONG.
IF ZCTR DID NOT RUN AT ALL, STEP COPYIN OR SCRIPT FAILED FIRST.
/*
//         ENDIF
//*------------------------------------------------------------------
//* ALWAYS REMOVE THE ZFS COPY OF THE RAW TRACE (SENSITIVE DATA).
//*------------------------------------------------------------------
//         IF (ABEND OR RC >= 0) THEN
//CLEANUP  EXEC PGM=BPXBATCH,PARM='SH rm -f &WORK/trace.bin'
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
//         ENDIF
